import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The store or an open transaction: repositories accept either, callers own the transaction. */
export type Queryable = Kysely<Database>;
