import type { Static, TObject } from 'typebox';
import type { Queryable } from '../db/queryable.ts';
import type { Clock } from '../lib/clock.ts';
import type { Site } from './site.ts';

/**
 * The shape of every write, as the domain sees it: a batch of records, each parsed from its schema,
 * checked (all of them, with a bounded number of queries) and the passing ones written in one
 * transaction. The runner that drives it over HTTP is `http/batch.ts`; the CLI drives it too.
 */

/** What a call into a site's rules carries: whose site it is and the app's clock. */
export interface SiteCall {
  site: Site;
  clock: Clock;
}

/** Processing options, by name, with the defaults the spec gives. */
export const BATCH_OPTION_DEFAULTS = {
  validate_fails_batch: true,
  update_existing: false,
  replace_privileges: true,
  replace_doors: true,
} as const;
export type BatchOptionName = keyof typeof BATCH_OPTION_DEFAULTS;
export type BatchOptions = Record<BatchOptionName, boolean>;

/**
 * What the domain says of one record: why it fails, what to write, or that it is deliberately left
 * alone (an update when `update_existing` is false): counted as submitted, neither written nor an error.
 */
export type RecordCheck<Plan> = { messages: string[] } | { plan: Plan } | { ignored: true };

export interface WriteCounts {
  inserted?: number;
  updated?: number;
  deleted?: number;
  processed?: number;
  /** Ids of the records written, for the audit trail. */
  ids?: number[];
  /** Values the caller sees in this answer and never again (a webhook's signing secret); kept out of the audit trail. */
  shownOnce?: Record<string, unknown>[];
}

export type SummaryKind = 'write' | 'delete' | 'process';

/** Domain checks for the whole batch, inside the transaction, with a bounded number of queries. */
export type CheckBatch<Input, Plan, Context = SiteCall> = (
  trx: Queryable,
  inputs: Input[],
  context: Context,
  options: BatchOptions,
) => Promise<RecordCheck<Plan>[]>;

/** Writes the plans of the records that passed. */
export type WriteBatch<Plan, Context = SiteCall> = (trx: Queryable, plans: Plan[], context: Context, options: BatchOptions) => Promise<WriteCounts>;

export interface BatchOperation<Input, Plan, Context = SiteCall> {
  /** The body's top-level array: `users`, `doors`, … */
  node: string;
  /** Schema of one record: presence, blankness, type and form of each field. */
  record: TObject;
  /** The processing options this endpoint reads. */
  options: readonly BatchOptionName[];
  /** A cap the endpoint itself sets (the spec limits delegates and PUT /user to one record per call). */
  maxRecords?: number;
  /** When false, any failure fails the batch whatever `validate_fails_batch` says. */
  partialAllowed?: boolean;
  summary: SummaryKind;
  /** From a record (fields that failed the schema removed) to the domain's input. */
  parse(record: Record<string, unknown>): Input;
  check: CheckBatch<Input, Plan, Context>;
  write: WriteBatch<Plan, Context>;
}

/**
 * A record as `parse` receives it: the fields that passed its schema, typed by it (a field that failed
 * was removed, so every field may be absent).
 */
export type BatchRecord<Schema extends TObject> = Partial<Static<Schema>>;

/** A batch operation as a resource states it: what differs from a plain create (`validate_fails_batch`, a write summary). */
export interface OperationSpec<Schema extends TObject, Input, Plan, Context> {
  node: string;
  record: Schema;
  options?: readonly BatchOptionName[];
  maxRecords?: number;
  partialAllowed?: boolean;
  summary?: SummaryKind;
  parse: (record: BatchRecord<Schema>) => Input;
  check: CheckBatch<Input, Plan, Context>;
  write: WriteBatch<Plan, Context>;
}

/** Without `parse`, the domain takes the record as its schema types it. */
export function batchOperation<Schema extends TObject, Plan, Context = SiteCall>(
  spec: Omit<OperationSpec<Schema, BatchRecord<Schema>, Plan, Context>, 'parse'>,
): BatchOperation<BatchRecord<Schema>, Plan, Context>;
export function batchOperation<Schema extends TObject, Input, Plan, Context = SiteCall>(
  spec: OperationSpec<Schema, Input, Plan, Context>,
): BatchOperation<Input, Plan, Context>;
export function batchOperation<Schema extends TObject, Input, Plan, Context>(
  spec: Omit<OperationSpec<Schema, Input, Plan, Context>, 'parse'> & { parse?: (record: BatchRecord<Schema>) => Input },
): BatchOperation<Input | BatchRecord<Schema>, Plan, Context> {
  const { parse, options = ['validate_fails_batch'], summary = 'write', check, write, ...rest } = spec;
  // The runner hands parse only the fields that passed this schema, so they have its types.
  const typed = (record: Record<string, unknown>) => record as BatchRecord<Schema>;
  return {
    ...rest,
    options,
    summary,
    parse: parse ? (record) => parse(typed(record)) : typed,
    check: check as CheckBatch<Input | BatchRecord<Schema>, Plan, Context>,
    write,
  };
}
