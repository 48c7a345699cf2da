import type { Readable } from 'node:stream';
import type { TObject } from 'typebox';
import { appendAudit } from '../audit/audit-log.ts';
import { writeTransaction } from '../db/change-feed.ts';
import { isUniqueViolation } from '../db/conventions.ts';
import type { Queryable } from '../db/queryable.ts';
import type { BatchOptions, CheckBatch, SiteCall, WriteBatch } from '../domain/batch.ts';
import { ERRORS, PortcullisError, type RecordFailure } from '../domain/errors.ts';
import type { BatchCaller } from './batch.ts';

/** Who imports: their site, and how the audit trail names them (a file has no batch size limit). */
export type ImportCaller = Pick<BatchCaller, 'site' | 'actor'>;
import { type CsvRow, csvRowChunks } from './csv.ts';
import { fieldProblems } from './validation.ts';

/**
 * The batch runner (`http/batch.ts`) for a CSV file rather than a JSON body: the same schema checks,
 * domain checks and writes, and the same messages, each prefixed with the line it was found on. The file
 * is read, checked and written a chunk of rows at a time inside one transaction, so memory holds one chunk
 * (plus what the import itself remembers, such as the id numbers it created) whatever the file's length,
 * and later chunks are checked against what earlier ones wrote. Every chunk is written even after a
 * failure, so that every problem of the file is found; the transaction is then rolled back: all or
 * nothing, unless `validate_fails_batch` is false. A dry run is always rolled back.
 */

/** One CSV row in the terms of the batch API. */
export interface CsvRecord<Input> {
  /** The record as the batch API would have received it, checked against `schema`. */
  record: Record<string, unknown>;
  schema: TObject;
  /** Problems reading the row that its schema cannot see (a name that names nothing). */
  messages: string[];
  /** The domain's input from the record's fields that passed `schema`. */
  input(usable: Record<string, unknown>): Input;
}

export interface CsvImport<Input, Plan> {
  /** The resource the audit trail names. */
  node: string;
  /** The columns a header may name. */
  columns: readonly string[];
  /** Cells the answer never echoes back in a failure's input_data. */
  secret: readonly string[];
  /** One chunk of rows as records, inside the transaction (so it sees what earlier chunks wrote). */
  read(trx: Queryable, rows: CsvRow[], context: SiteCall): Promise<CsvRecord<Input>[]>;
  check: CheckBatch<Input, Plan>;
  write: WriteBatch<Plan>;
}

export interface CsvImportResult {
  data: { submitted: number; inserted: number; updated: number; errors: number; dry_run: boolean };
  /** The failing rows (the first MAX_REPORTED), when the import was a dry run or validate_fails_batch was false. */
  errors?: { error: string[]; input_data: unknown }[];
}

/**
 * Rows read, checked and written together: a bounded number of queries each, whatever the file's length.
 * Fewer than V8 needs to pretenure: when 85% of at least 100 objects that one object literal made since
 * the last young-generation collection are still alive at it, V8 allocates that literal's objects in the
 * old generation from then on, for the life of the process. A row's objects live as long as its chunk (and
 * the next chunk's reading), so with 250-row chunks the first collection of an import often found them all
 * alive: the row literals were pretenured, and each dragged the row's young objects into the old
 * generation too, 150 MB of garbage per 100,000 rows in about half the runs. With 40 rows no row literal
 * has 85 objects alive. docs/performance.md.
 */
export const CSV_CHUNK_ROWS = 40;

/** The failing rows an answer lists; the count covers them all. A file of 100,000 bad rows is not echoed whole. */
export const MAX_REPORTED = 1000;

/** Ends a dry run's transaction, which must never commit, carrying what it found. */
class DryRunRolledBack extends Error {
  constructor(readonly result: CsvImportResult) {
    super('dry run');
  }
}

export interface CsvImportCall {
  dryRun: boolean;
  options: BatchOptions;
}

export async function runCsvImport<Input, Plan>(
  db: Queryable,
  source: Readable,
  spec: CsvImport<Input, Plan>,
  caller: ImportCaller,
  context: SiteCall,
  { dryRun, options }: CsvImportCall,
): Promise<CsvImportResult> {
  const counts = { submitted: 0, inserted: 0, updated: 0, errors: 0 };
  const failures: RecordFailure[] = [];

  async function importChunk(trx: Queryable, rows: CsvRow[]): Promise<void> {
    const records = await spec.read(trx, rows, context);
    const schemaMessages = records.map(({ record, schema }) => fieldProblems(schema, record));
    const inputs = records.map(({ record, input }, index) => {
      const problems = schemaMessages[index] ?? [];
      if (problems.length === 0) return input(record);
      const usable = { ...record };
      for (const { field } of problems) delete usable[field];
      return input(usable);
    });
    const checks = await spec.check(trx, inputs, context, options);
    const plans: Plan[] = [];
    rows.forEach((row, index) => {
      const check = checks[index];
      const record = records[index];
      if (!check || !record) throw new Error(`no check or record for CSV line ${row.line}`);
      const messages = [...record.messages, ...(schemaMessages[index] ?? []).map((p) => p.message), ...('messages' in check ? check.messages : [])];
      if (messages.length > 0) {
        counts.errors += 1;
        if (failures.length < MAX_REPORTED)
          failures.push({ index: row.line, messages: messages.map((m) => `Line ${row.line}: ${m}`), input: echo(row) });
      } else if ('plan' in check) plans.push(check.plan);
    });
    counts.submitted += rows.length;
    if (plans.length === 0) return;
    const written = await spec.write(trx, plans, context, options);
    counts.inserted += written.inserted ?? 0;
    counts.updated += written.updated ?? 0;
    // One audit record per chunk: each stays small, whatever the file's length.
    const detail = { inserted: written.inserted ?? 0, updated: written.updated ?? 0 };
    await appendAudit(
      trx,
      caller.site.id,
      { actor: caller.actor, resource: spec.node, action: 'import', recordIds: written.ids ?? [], detail },
      Date.now(),
    );
  }

  const echo = (row: CsvRow) => {
    const shown: Record<string, unknown> = { line: row.line };
    for (const [column, value] of Object.entries(row.cells)) if (!spec.secret.includes(column)) shown[column] = value;
    return shown;
  };
  const answer = (): CsvImportResult => ({
    data: { ...counts, dry_run: dryRun },
    ...(failures.length > 0 ? { errors: failures.map((f) => ({ error: f.messages, input_data: f.input })) } : {}),
  });

  const chunks = csvRowChunks(source, spec.columns, CSV_CHUNK_ROWS);
  try {
    return await writeTransaction(db, caller.site.id, async (trx) => {
      for await (const rows of chunks) await importChunk(trx, rows);
      if (counts.submitted === 0) throw ERRORS.badRequest('No data found: the CSV has a header row and no rows.');
      if (dryRun) throw new DryRunRolledBack(answer());
      if (counts.errors > 0 && options.validate_fails_batch) throw ERRORS.validationFailed(failures);
      return answer();
    });
  } catch (error) {
    if (error instanceof DryRunRolledBack) return error.result;
    // The checks ran in this transaction; only a concurrent commit (PostgreSQL) can take a value since.
    // A file cannot be read twice, so it is not retried as a JSON batch is.
    if (!(error instanceof PortcullisError) && isUniqueViolation(error)) {
      throw ERRORS.badRequest('Another write took a value this import gives; nothing was written. Run the import again.');
    }
    throw error;
  }
}
