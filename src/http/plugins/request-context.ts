import type { FastifyInstance } from 'fastify';

/** Every answer names its request, so a 500's log line can be found from what the client saw. */
export function installRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
}
