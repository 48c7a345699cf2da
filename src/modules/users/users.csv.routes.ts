import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { BATCH_OPTION_DEFAULTS } from '../../domain/batch.ts';
import { ERRORS } from '../../domain/errors.ts';
import { principalOf } from '../../http/plugins/api-key-auth.ts';
import { sendCsv, spooled } from '../../http/csv.ts';
import { BatchResponse } from '../../http/schemas.ts';
import { type AppContext, LOCKT_API_KEY, LOCKT_SECURITY, type TypedApp } from '../module.ts';
import { exportPeople, importPeople } from './users.csv.ts';

const IMPORT_URL = '/api/v1/user/import';
const tags = ['user'];

const TrueFalse = (description: string) => Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description }));

const ImportQuery = Type.Object({
  dry_run: TrueFalse('If true, the file is checked and the answer says what it would change; nothing is written. Defaults to false.'),
  validate_fails_batch: TrueFalse(
    'If false, the rows passing validation are written and the failures reported; if true, any failure writes nothing. Defaults to true.',
  ),
});

const ImportSummary = Type.Object({
  submitted: Type.Integer({ description: 'Data rows read.' }),
  inserted: Type.Integer({ description: 'People created (or, in a dry run, that would be).' }),
  updated: Type.Integer({ description: 'People updated: rows whose id_num was already a person’s.' }),
  errors: Type.Integer({ description: 'Rows that failed validation (all of them, though at most 1,000 are listed).' }),
  dry_run: Type.Boolean(),
});

/**
 * Extension: the people file (docs/import-export.md). The import reads its body as a stream, so a CSV
 * body is handed to it unread; every other route still takes JSON only.
 */
export function registerPeopleFileRoutes(app: TypedApp, { db, clock }: Pick<AppContext, 'db' | 'clock'>): void {
  app.addContentTypeParser('text/csv', (request, body, done) => {
    if (request.routeOptions.url === IMPORT_URL) done(null, body);
    else done(ERRORS.unsupportedMediaType(), undefined);
  });

  app.post(IMPORT_URL, {
    config: LOCKT_API_KEY,
    schema: {
      tags,
      security: LOCKT_SECURITY,
      summary: 'Extension: create and update cardholders from a CSV file of Lockt user fields (Content-Type: text/csv).',
      consumes: ['text/csv'],
      querystring: ImportQuery,
      response: { 200: BatchResponse(ImportSummary) },
    },
    handler: async (request) => {
      if (request.headers['content-type']?.split(';')[0]?.trim() !== 'text/csv') throw ERRORS.unsupportedMediaType();
      const principal = principalOf(request);
      const options = { ...BATCH_OPTION_DEFAULTS, validate_fails_batch: request.query.validate_fails_batch !== 'false' };
      const flags = { dryRun: request.query.dry_run === 'true', options };
      return spooled(request.body as Readable, (body) => importPeople(db, body, principal, { site: principal.site, clock }, flags));
    },
  });

  app.get('/api/v1/user/export', {
    config: LOCKT_API_KEY,
    schema: {
      tags,
      security: LOCKT_SECURITY,
      summary: 'Extension: every cardholder as a CSV file in the import’s format; PINs are never exported.',
      produces: ['text/csv'],
      response: { 200: Type.String({ description: 'CSV: a header row of Lockt user field names, then one row per cardholder.' }) },
    },
    handler: async (request, reply) => {
      const { site } = principalOf(request);
      return sendCsv(reply, await exportPeople(db, site.id), 'people.csv');
    },
  });
}
