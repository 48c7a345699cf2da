import { Type } from 'typebox';
import { ERRORS } from '../../domain/errors.ts';
import { bearerToken } from '../../http/plugins/operator-auth.ts';
import { VERSION } from '../../lib/release.ts';
import type { LocktModule } from '../module.ts';
import { login, logout } from './operator-sessions.service.ts';

const tags = ['basip'];
/** The BAS-IP API generation Portcullis answers as: clients branch on its major number. */
export const BASIP_API_VERSION = '2.12.0';

const LoginQuery = Type.Object({
  username: Type.Optional(Type.String({ description: "The operator's username." })),
  password: Type.Optional(Type.String({ description: 'MD5 of the password, hex, either case.' })),
});

/** The panel face's device information, login and logout. */
export const operatorSessionsModule: LocktModule = {
  name: 'operator-sessions',
  register(app, { db, clock }) {
    app.get('/api/info', {
      schema: {
        tags,
        summary: "BAS-IP: device information, in the panel's fields (no login needed).",
        response: {
          200: Type.Object({
            firmware_version: Type.String(),
            framework_version: Type.String(),
            frontend_version: Type.String(),
            api_version: Type.String(),
            device_type: Type.String(),
            device_name: Type.String(),
            device_model: Type.String(),
            device_serial_number: Type.String(),
            commit: Type.String(),
          }),
        },
      },
      handler: async () => ({
        firmware_version: VERSION,
        framework_version: VERSION,
        frontend_version: VERSION,
        api_version: BASIP_API_VERSION,
        device_type: 'multi_apartment_panel',
        device_name: 'Portcullis',
        device_model: 'Portcullis',
        device_serial_number: '',
        commit: '',
      }),
    });

    app.get('/api/v1/login', {
      schema: {
        tags,
        summary: 'BAS-IP: log in with username and the MD5 hex of the password; the token lasts 2 hours.',
        querystring: LoginQuery,
        response: { 200: Type.Object({ token: Type.String(), account_type: Type.String() }) },
      },
      handler: async (request) => {
        const { username, password } = request.query;
        if (!username || !password) throw ERRORS.badRequest('Required parameters missed');
        const session = await login(db, username, password, clock);
        return { token: session.token, account_type: session.accountType };
      },
    });

    for (const method of ['POST', 'GET'] as const) {
      app.route({
        method,
        url: '/api/v1/logout',
        config: { auth: 'operator', anyRole: true },
        schema: { tags, summary: 'BAS-IP: end the session (POST; older clients use GET).', ...(method === 'GET' ? { hide: true } : {}) },
        handler: async (request) => {
          const token = bearerToken(request);
          if (token) await logout(db, token);
          return {};
        },
      });
    }
  },
};
