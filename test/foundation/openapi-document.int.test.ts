import { Type } from 'typebox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESOURCE_MODULES } from '../../src/modules/index.ts';
import { LOCKT_API_KEY, type ResourceModule } from '../../src/modules/module.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';
import { buildRecordedApp } from '../fuzz/routes.ts';
import { openTestStore } from '../harness.ts';

/** The route's responses as plain JSON Schema, so its handler may send the raw text and status a stray answer needs. */
const strayResponses: Record<string, unknown> = {
  200: { type: 'object', properties: { data: { type: 'object', properties: { id: { type: 'integer' } } } } },
};

/** A Lockt route whose answers stray from its own schema: a field it does not name, a status it does not list. */
const strayModule: ResourceModule = {
  name: 'stray',
  face: 'lockt',
  register(app) {
    app.get(
      '/api/v1/stray',
      { config: LOCKT_API_KEY, schema: { querystring: Type.Object({ as: Type.Optional(Type.String()) }), response: strayResponses } },
      async (request, reply) => {
        // A string answer bypasses the serializer (which would drop the unnamed field) and reaches the wire.
        if (request.query.as === 'status') return reply.code(202).type('application/json').send('{"data":{"id":1}}');
        if (request.query.as === 'text') return reply.type('text/plain').send('id 1');
        return reply.type('application/json').send('{"data":{"id":1,"secret":"x"}}');
      },
    );
  },
};

describe.each(DIALECTS)('the response check of the HTTP suites on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, { modules: [...RESOURCE_MODULES, strayModule] });
  });
  afterEach(async () => {
    await h.close();
  });

  it('fails a test that receives a field the document does not name', async () => {
    await expect(h.request('GET', '/api/v1/stray')).rejects.toThrow(/GET \/api\/v1\/stray 200: .*additional properties/);
  });

  it('fails a test that receives a status the document does not list', async () => {
    await expect(h.request('GET', '/api/v1/stray?as=status')).rejects.toThrow('GET /api/v1/stray 202: status not documented');
  });

  it('fails a test that receives a media type the document does not list', async () => {
    await expect(h.request('GET', '/api/v1/stray?as=text')).rejects.toThrow(
      'GET /api/v1/stray 200: a text/plain body where the document has application/json',
    );
  });

  it('passes a documented failure in the face’s envelope', async () => {
    const response = await h.request('GET', '/api/v1/stray', { as: null });
    expect(response.status).toBe(401);
  });
});

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}

describe('the OpenAPI document', () => {
  let document: { paths: Record<string, Record<string, Operation>> };
  let routes: Awaited<ReturnType<typeof buildRecordedApp>>['routes'];
  let close: () => Promise<void>;
  beforeAll(async () => {
    const store = await openTestStore('sqlite');
    const built = await buildRecordedApp({ db: store.db });
    document = built.app.swagger() as unknown as typeof document;
    routes = built.routes;
    close = async () => {
      await built.app.close();
      await store.close();
    };
  });
  afterAll(async () => close());

  const SECURITY = {
    api_key: [{ apiuser: [], apikey: [] }],
    device: [{ deviceKey: [] }],
    operator: [{ operatorToken: [] }, { operatorBasic: [] }],
  };

  it('states the security scheme of every authenticated route, as its face authenticates it', () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const operation = document.paths[route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      if (operation === undefined || route.auth === 'none' || route.auth === 'panel') continue;
      if (JSON.stringify(operation.security) !== JSON.stringify(SECURITY[route.auth])) wrong.push(`${route.method} ${route.url}`);
    }
    expect(wrong).toEqual([]);
  });

  it('documents the failures of every route in its face’s envelope', () => {
    const lockt = document.paths['/api/v1/user']?.post?.responses;
    expect(lockt?.['400']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/LocktFailure' } } } });
    expect(lockt?.['401']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/LocktError' } } } });
    const basip = document.paths['/api/v1/access/users/items']?.get?.responses;
    expect(basip?.['401']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/BasipError' } } } });
    const undocumented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => !['400', '404', '500', '503'].every((status) => status in operation.responses))
        .map(([method]) => `${method} ${path}`),
    );
    expect(undocumented).toEqual([]);
  });
});
