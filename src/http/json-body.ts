import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../domain/errors.ts';

/**
 * JSON is the only body Portcullis reads: any other Content-Type is refused with 415. An empty body
 * parses to nothing (clients send `Content-Type: application/json` on bodiless calls such as
 * `POST /delegate?purge`), and endpoints that need a body say so in their own format. Parsing is
 * Fastify's, which also refuses `__proto__` and `constructor` pollution.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) done(ERRORS.unparseableBody(), undefined);
      else done(null, value);
    });
  });
}
