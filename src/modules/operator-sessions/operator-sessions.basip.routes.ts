import { Type } from 'typebox';
import { ERRORS } from '../../domain/errors.ts';
import { siteOfPrefix } from '../../http/basip/site-prefix.ts';
import { addressKey } from '../../http/plugins/caller.ts';
import { bearerToken } from '../../http/plugins/operator-auth.ts';
import { VERSION } from '../../lib/release.ts';
import type { ResourceModule } from '../module.ts';
import { login, logout } from './operator-sessions.service.ts';

const tags = ['basip'];
/** The BAS-IP API generation Portcullis answers as: clients branch on its major number. */
export const BASIP_API_VERSION = '2.12.0';

const LoginQuery = Type.Object({
  username: Type.Optional(Type.String({ description: "The operator's username." })),
  password: Type.Optional(Type.String({ description: 'MD5 of the password, hex, either case.' })),
});

/**
 * A serial number per site, stable and never empty: clients take an empty one for an unreachable device
 * and key their records of a device by it. Site 0 is the installation, for a URL that names no site.
 */
export const serialNumber = (siteId: number | undefined) => `PCS${String(siteId ?? 0).padStart(8, '0')}`;

/** The panel face's device information, login and logout. */
export const operatorSessionsModule: ResourceModule = {
  name: 'operator-sessions',
  register(app, { db, clock }) {
    app.get('/api/info', {
      schema: {
        tags,
        security: [],
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
            device_serial_number: Type.String({
              description: "The site's serial under its URL (/site/<id>/api/info); the installation's without one.",
            }),
            commit: Type.String(),
            hybrid_enable: Type.Boolean({ description: 'Hybrid (analogue + IP) mode: a Portcullis site has no analogue line.' }),
          }),
        },
      },
      handler: async (request) => ({
        firmware_version: VERSION,
        framework_version: VERSION,
        frontend_version: VERSION,
        api_version: BASIP_API_VERSION,
        device_type: 'multi_apartment_panel',
        device_name: 'Portcullis',
        device_model: 'Portcullis',
        device_serial_number: serialNumber(siteOfPrefix(request)),
        commit: VERSION,
        hybrid_enable: false,
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
        const session = await login(db, { username, digest: password, address: addressKey(request), siteId: siteOfPrefix(request) }, clock);
        return { token: session.token, account_type: session.accountType };
      },
    });

    for (const method of ['POST', 'GET'] as const) {
      app.route({
        method,
        url: '/api/v1/logout',
        config: { auth: 'operator', anyRole: true },
        schema: {
          tags,
          summary: 'BAS-IP: end the session (POST; older clients use GET).',
          response: { 200: Type.Object({}) },
          ...(method === 'GET' ? { hide: true } : {}),
        },
        handler: async (request) => {
          const token = bearerToken(request);
          if (token) await logout(db, token);
          return {};
        },
      });
    }
  },
};
