import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Queryable } from '../../src/db/queryable.ts';
import { nameKey } from '../../src/domain/names.ts';
import type { Harness } from '../harness.ts';

/**
 * What the user, credential and fob suites stand on. Access levels are written straight to the store so
 * these suites do not depend on the access-level endpoints; people go through the API.
 */

const CREATED_AT = Date.UTC(2025, 0, 1);

/** An access level, with a chosen id when a test replays the spec's own example ids. */
export async function seedAccessLevel(db: Queryable, siteId: number, name: string, id?: number): Promise<number> {
  const row = await db
    .insertInto('access_level')
    .values({ ...(id !== undefined ? { id } : {}), site_id: siteId, name, name_key: nameKey(name), created_at: CREATED_AT })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A cardholder written straight to the store (no PIN, no card), with a chosen id when a test needs one. */
export async function seedCardholder(
  db: Queryable,
  siteId: number,
  fields: { id?: number; idNum: string; firstName?: string; lastName?: string; email?: string },
): Promise<number> {
  const row = await db
    .insertInto('user')
    .values({
      ...(fields.id !== undefined ? { id: fields.id } : {}),
      site_id: siteId,
      id_num: fields.idNum,
      first_name: fields.firstName ?? 'Seeded',
      last_name: fields.lastName ?? 'Cardholder',
      email: fields.email ?? null,
      email_key: fields.email?.toLowerCase() ?? null,
      created_at: CREATED_AT,
      updated_at: CREATED_AT,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let sequence = 0;

/** A valid POST /user insert record; each call gets its own id_num and email. */
export function newUser(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    id: -1,
    id_num: `ID-${sequence}`,
    first_name: 'Rhea',
    last_name: 'Greswell',
    email: `person${sequence}@example.com`,
    phone: '8184365134',
    pin: '0986',
    ...overrides,
  };
}

/** A valid POST /fob record; each call gets its own name. */
export function newFob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return { name: `Fob ${sequence}`, id_num: `F-${sequence}`, ...overrides };
}

export const postUsers = (h: Harness, users: Record<string, unknown>[], options?: Record<string, unknown>) =>
  h.request('POST', '/api/v1/user', { body: { users, ...(options ? { options } : {}) } });

/** Creates cardholders through the API and returns them as GET /user?id= shows them. */
export async function createUsers(h: Harness, users: Record<string, unknown>[]): Promise<Record<string, any>[]> {
  const response = await postUsers(h, users);
  if (response.status !== 200) throw new Error(`POST /user failed: ${JSON.stringify(response.body)}`);
  const list = await h.request('GET', '/api/v1/user');
  const byIdNum = new Map(list.body.data.map((u: { id_num: string }) => [u.id_num, u]));
  return Promise.all(
    users.map(async (u) => {
      const { id } = byIdNum.get(u.id_num as string) as { id: number };
      return (await h.request('GET', `/api/v1/user?id=${id}`)).body.data[0];
    }),
  );
}

/** Creates one fob through the API and returns it as GET /fob?name= shows it. */
export async function createFob(h: Harness, fob: Record<string, unknown> = newFob()): Promise<Record<string, any>> {
  const response = await h.request('POST', '/api/v1/fob', { body: { fobs: [fob] } });
  if (response.status !== 200) throw new Error(`POST /fob failed: ${JSON.stringify(response.body)}`);
  const found = await h.request('GET', `/api/v1/fob?name=${encodeURIComponent(fob.name as string)}`);
  return found.body.data[0];
}

/** Counts the statements run through a store, to show that a batch's query count does not grow with its size. */
export function queryCounter(): KyselyPlugin & { count: number } {
  const counter = {
    count: 0,
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      counter.count += 1;
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return args.result;
    },
  };
  return counter;
}
