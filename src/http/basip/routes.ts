import type { FastifyRequest, FastifySchema } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { ActorCall } from '../../domain/site.ts';
import type { Clock } from '../../lib/clock.ts';
import type { TypedApp } from '../../modules/module.ts';
import type { OperatorPrincipal } from '../../modules/operator-sessions/operator-sessions.service.ts';
import { operatorOf } from '../plugins/operator-auth.ts';
import { type BasipList, ListAnswer, ListQuerySchema, type ListSpec, listOption, readListQuery } from './list-query.ts';

/** The OpenAPI tag every route of the panel API is listed under. */
export const tags = ['basip'];

/** The config of a panel route an operator calls, by session token or HTTP Basic (src/http/plugins/operator-auth.ts). */
export const OPERATOR = { auth: 'operator' } as const;

/**
 * What every operator's panel route states first: operator auth, the panel API's tag, and its summary and
 * schema (params, query, body, answer). Spread into the route's options; the schema still types the handler.
 */
export function operatorRoute<Schema extends FastifySchema>(
  summary: string,
  schema: Schema,
): { config: typeof OPERATOR; schema: Schema & { tags: string[]; summary: string } } {
  return { config: OPERATOR, schema: { tags, summary, ...schema } };
}

/** A page of a panel list as its service reads it: at least how many the whole list holds. */
export interface BasipPage {
  total: number;
}

/** One `…/items` list of the panel API: where it is, how OpenAPI describes it, and how a page is read. */
export interface BasipListRoute<Item extends TSchema, Page extends BasipPage> {
  url: string;
  summary: string;
  /** The wire fields it may be sorted and filtered on, and the domain field each stands for. */
  spec: ListSpec;
  /** Schema of one item. */
  item: Item;
  /** The page the list request asks for, within the operator's site. */
  page: (operator: OperatorPrincipal, list: BasipList) => Promise<Page>;
  /** The page's rows as the wire shows them (their presenter). */
  present: (page: Page) => Static<Item>[];
}

/**
 * Registers `GET <url>` as every panel list is: an operator's request, the panel's list parameters read
 * from the query (list-query.ts), and the answer `{list_option, list_items}`. A module states only what
 * differs, so the lists cannot drift apart.
 */
export function basipListRoute<Item extends TSchema, Page extends BasipPage>(app: TypedApp, route: BasipListRoute<Item, Page>): void {
  app.get(route.url, {
    config: OPERATOR,
    schema: { tags, summary: route.summary, querystring: ListQuerySchema, response: { 200: ListAnswer(route.item) } },
    handler: async (request) => {
      const list = readListQuery(request.query, route.spec);
      const page = await route.page(operatorOf(request), list);
      return { list_option: listOption(list, page.total), list_items: route.present(page) };
    },
  });
}

/** The call an operator's write hands its service: the operator's site and audit actor, and the time now. */
export function operatorCall(request: FastifyRequest, clock: Clock): ActorCall {
  const { site, actor } = operatorOf(request);
  return { site, actor, now: clock.now() };
}

/** The answer `{}` once `write` is done: the panel API says that a write was done, nothing more. */
export async function emptyAnswer(write: Promise<unknown>): Promise<Record<string, never>> {
  await write;
  return {};
}
