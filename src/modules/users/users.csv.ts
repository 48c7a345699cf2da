import type { Readable } from 'node:stream';
import { mapChunks } from '../../db/keyset.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { BatchRecord, SiteCall } from '../../domain/batch.ts';
import { type CsvImport, type CsvImportCall, type CsvImportResult, type ImportCaller, runCsvImport } from '../../http/csv-batch.ts';
import { csvText } from '../../http/csv.ts';
import { presentPersonRow } from './users.presenter.ts';
import { parseUser } from './users.operations.ts';
import { UserCreate, UserUpdate } from './users.schema.ts';
import { PEOPLE_COLUMNS, type PersonInput, type PersonPlan, checkPeople, peopleChunks, readPeople, writePeople } from './users.import.service.ts';

/** The people file's import and export, which `/user/import`, `/user/export` and `portcullis user` share. */

/** One import's operation: its memory of the id_nums given lives as long as the file is read. */
function peopleImport(): CsvImport<PersonInput, PersonPlan> {
  const memory = { idNums: new Set<string>(), chunkHolders: new Map<string, number>() };
  return {
    node: 'users',
    columns: PEOPLE_COLUMNS,
    secret: ['pin'],
    async read(trx, rows, { site }) {
      const people = await readPeople(
        trx,
        site,
        rows.map((row) => row.cells),
        memory,
      );
      return people.map(({ kind, record, messages, cards }) => {
        // A new person is a POST /user record (every required field); a known one a PUT /user record.
        const schema = kind === 'create' ? UserCreate : UserUpdate;
        // The runner hands `input` only the fields that passed this schema, so they have its types.
        const input = (usable: Record<string, unknown>) => ({ user: parseUser(usable as BatchRecord<typeof UserUpdate>), cards });
        return { record, schema, messages, input };
      });
    },
    // The check follows the read of the same chunk, whose id_num holders it takes from the memory.
    check: (trx, inputs, call, options) => checkPeople(trx, inputs, call, options, memory),
    write: writePeople,
  };
}

/** Reads a people file from `source` into the caller's site: all or nothing unless `validate_fails_batch` is false. */
export function importPeople(db: Queryable, source: Readable, caller: ImportCaller, call: SiteCall, flags: CsvImportCall): Promise<CsvImportResult> {
  return runCsvImport(db, source, peopleImport(), caller, call, flags);
}

/** The site's cardholders as a people file, read and written a chunk at a time. */
export function exportPeople(db: Queryable, siteId: number): Promise<Readable> {
  return csvText(PEOPLE_COLUMNS, mapChunks(peopleChunks(db, siteId), presentPersonRow));
}
