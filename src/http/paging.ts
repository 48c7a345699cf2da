import { Type } from 'typebox';
import { MAX_ID } from '../db/conventions.ts';
import { NumericParam } from './schemas.ts';

/**
 * Optional keyset paging on every Lockt list (an extension): `?limit=N&after_id=ID` returns at most N
 * records with id greater than ID, in id order. Without `limit` the list is whole, as the spec has it.
 */
export const PagingQuery = {
  limit: Type.Optional(NumericParam('limit', 'Extension: return at most this many records (1 to 10000).')),
  after_id: Type.Optional(NumericParam('after_id', 'Extension: return records whose id is greater than this.')),
};

export const MAX_PAGE = 10_000;

export interface Paging {
  /** Undefined: the whole list. */
  limit?: number | undefined;
  afterId: number;
}

export function readPaging(query: { limit?: string | undefined; after_id?: string | undefined }): Paging {
  const limit = query.limit === undefined ? undefined : Math.min(Math.max(Number(query.limit), 1), MAX_PAGE);
  // No id exceeds MAX_ID, and PostgreSQL fails a comparison with a number beyond the column's range.
  return { limit, afterId: query.after_id === undefined ? 0 : Math.min(Number(query.after_id), MAX_ID) };
}
