import { errorFields } from '../db/error-fields.ts';
import type { Actor, AuditEntry } from '../audit/audit-log.ts';
import { writeTransaction } from '../db/change-feed.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../db/conventions.ts';
import type { Queryable } from '../db/queryable.ts';
import {
  BATCH_OPTION_DEFAULTS,
  type BatchOperation,
  type BatchOptionName,
  type BatchOptions,
  type SummaryKind,
  type WriteCounts,
} from '../domain/batch.ts';
import { ERRORS, type RecordFailure } from '../domain/errors.ts';
import { showValue } from '../lib/show-value.ts';
import { batchEnvelope, fieldProblems } from './validation.ts';

/**
 * The one batch runner behind every Lockt write endpoint:
 * 1. the key's `max_batch_size` (or the endpoint's own cap) is checked before any work;
 * 2. every record is checked against its schema and then by the domain, and all of its messages kept;
 * 3. `validate_fails_batch` true (the default): any failure rolls the whole batch back;
 *    false: the passing records are written in one transaction and the failures reported beside the summary;
 * 4. a write that loses a race (a unique value taken, or a referenced row deleted, by a concurrent commit) is
 *    run again, so it is re-validated against what the winner committed and its caller gets a validation
 *    error, not a 500.
 */

/** Who calls a batch: their limit, their site, and how the audit trail names them. */
export interface BatchCaller {
  maxBatchSize: number;
  site: { id: number };
  actor: Actor;
}

export interface BatchResult {
  data: Record<string, number>;
  /** Present only when `validate_fails_batch` was false and some records failed. */
  errors?: { error: string[]; input_data: unknown }[];
  /** WriteCounts.shownOnce, when the write made any. */
  shown_once?: Record<string, unknown>[];
}

const RETRIES = 3;

const now = () => Date.now();

/** The audit record of a batch that wrote something: the resource, the kind of write, ids and counts. */
function auditEntry(
  operation: { node: string; summary: SummaryKind },
  actor: Actor,
  result: BatchResult,
  counts: WriteCounts,
): AuditEntry | undefined {
  const { submitted: _submitted, errors: _errors, ...changed } = result.data;
  if (Object.values(changed).every((n) => n === 0)) return undefined;
  return { actor, resource: operation.node, action: operation.summary, recordIds: counts.ids ?? [], detail: result.data };
}

function isRetryable(error: unknown): boolean {
  return isUniqueViolation(error) || isForeignKeyViolation(error) || (errorFields(error).code ?? '').startsWith('SQLITE_BUSY');
}

/** Reads the options an endpoint takes; booleans or the strings "true"/"false", else a 400. */
export function readOptions(given: Record<string, unknown>, names: readonly BatchOptionName[]): BatchOptions {
  const options: BatchOptions = { ...BATCH_OPTION_DEFAULTS };
  for (const name of names) {
    const value = given[name];
    if (value === undefined) continue;
    if (value === true || value === 'true') options[name] = true;
    else if (value === false || value === 'false') options[name] = false;
    else throw ERRORS.badRequest(`Invalid value for option ${name}: ${showValue(value)} (expected true or false)`);
  }
  return options;
}

function summarize(kind: SummaryKind, submitted: number, counts: WriteCounts, errors: number): Record<string, number> {
  switch (kind) {
    case 'write':
      return { submitted, inserted: counts.inserted ?? 0, updated: counts.updated ?? 0, errors };
    case 'delete':
      return { submitted, deleted: counts.deleted ?? 0, errors };
    case 'process':
      return { submitted, processed: counts.processed ?? 0, errors };
  }
}

export async function runBatch<Input, Plan, Context>(
  db: Queryable,
  operation: BatchOperation<Input, Plan, Context>,
  body: unknown,
  caller: BatchCaller,
  context: Context,
): Promise<BatchResult> {
  // Route validation has normally checked the envelope already; routes whose body may be absent have not.
  const envelope = batchEnvelope(body, operation.node);
  if (!envelope) throw ERRORS.unparseableBody();
  const { records } = envelope;
  const cap = Math.min(caller.maxBatchSize, operation.maxRecords ?? Number.POSITIVE_INFINITY);
  if (records.length > cap) throw ERRORS.batchTooLarge(cap);
  const options = readOptions(envelope.options, operation.options);

  const schemaMessages: string[][] = [];
  const inputs: Input[] = [];
  for (const record of records) {
    const problems = fieldProblems(operation.record, record);
    schemaMessages.push(problems.map((p) => p.message));
    const usable = { ...record };
    for (const { field } of problems) delete usable[field];
    inputs.push(operation.parse(usable));
  }
  const failFast = operation.partialAllowed === false || options.validate_fails_batch;

  let written: WriteCounts = {};
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeTransaction(
        db,
        caller.site.id,
        async (trx) => {
          const checks = await operation.check(trx, inputs, context, options);
          const failures: RecordFailure[] = [];
          const plans: Plan[] = [];
          records.forEach((input, index) => {
            const check = checks[index];
            if (!check) throw new Error(`check() returned no result for record ${index}`);
            const messages = [...(schemaMessages[index] ?? []), ...('messages' in check ? check.messages : [])];
            if (messages.length > 0) failures.push({ index, messages, input });
            else if ('plan' in check) plans.push(check.plan);
          });
          if (failures.length > 0 && failFast) throw ERRORS.validationFailed(failures);
          const counts = plans.length > 0 ? await operation.write(trx, plans, context, options) : {};
          written = counts;
          const data = summarize(operation.summary, records.length, counts, failures.length);
          return {
            data,
            ...(failures.length > 0 ? { errors: failures.map((f) => ({ error: f.messages, input_data: f.input })) } : {}),
            ...(counts.shownOnce ? { shown_once: counts.shownOnce } : {}),
          };
        },
        { of: (result) => auditEntry(operation, caller.actor, result, written), at: now() },
      );
    } catch (error) {
      if (attempt < RETRIES && isRetryable(error)) continue;
      throw error;
    }
  }
}
