import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestStore, openTestStore } from '../../../test/harness.ts';
import { AccessIndex } from '../../access/access-index.ts';
import { systemClock } from '../../lib/clock.ts';
import { RESOURCE_MODULES } from '../../modules/index.ts';
import type { TypedApp } from '../../modules/module.ts';
import { RouteFaces } from '../faces.ts';
import { LocktPaths } from './paths.ts';

describe('LocktPaths over the routes the modules register', () => {
  const paths = new LocktPaths();
  let store: TestStore;
  let app: TypedApp;
  beforeAll(async () => {
    store = await openTestStore('sqlite');
    // As buildApp wires them: the faces stamped first, then the Lockt words recorded, then every module.
    app = Fastify() as unknown as TypedApp;
    const faces = new RouteFaces(app);
    paths.learnFrom(app);
    const context = {
      db: store.db,
      clock: systemClock,
      bodyLimit: 1_000_000,
      objectTypes: new Map(),
      access: new AccessIndex(store.db),
      webhooks: { key: randomBytes(32), policy: { allowHttp: false, allowPrivate: false } },
    };
    for (const module of RESOURCE_MODULES) faces.register(module, () => module.register(app, context));
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it.each([
    ['/api/v1/users', '/api/v1/user'],
    ['/api/v1/users?id=5', '/api/v1/user?id=5'],
    ['/api/v1/accesslevels/', '/api/v1/accesslevel/'],
    ['/api/v1/delegates?purge', '/api/v1/delegate?purge'],
    ['/api/v1/event?id=3', '/api/v1/events?id=3'],
    ['/v1/user/', '/api/v1/user/'],
    ['/v1/credential', '/api/v1/credential'],
    ['/api/v1/user', '/api/v1/user'],
    ['/api/v1/access/users/items', '/api/v1/access/users/items'],
    ['/api/v1/login?username=a', '/api/v1/login?username=a'],
    ['/docs/', '/docs/'],
    // Every plural the spec's examples call, each derived from its registered singular.
    ['/api/v1/credentials', '/api/v1/credential'],
    ['/api/v1/credentialsummaries', '/api/v1/credentialsummary'],
    ['/api/v1/fobs', '/api/v1/fob'],
    ['/api/v1/doors', '/api/v1/door'],
    ['/api/v1/doorstates', '/api/v1/doorstate'],
    ['/api/v1/locations', '/api/v1/location'],
    ['/api/v1/locationtypes', '/api/v1/locationtype'],
    ['/api/v1/schedules', '/api/v1/schedule'],
    ['/api/v1/objects?listtypes', '/api/v1/object?listtypes'],
  ])('%s → %s', (input, expected) => {
    expect(paths.canonical(input)).toBe(expected);
  });
});
