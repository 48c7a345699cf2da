import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/cli-runner.ts';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { seedDoor, seedSchedule } from '../../../test/factories/access.ts';
import { createUsers, newUser, seedAccessLevel } from '../../../test/factories/people.ts';
import { seedAccessLevel as seedLevelWithDoors } from '../../../test/factories/places.ts';
import { DIALECTS, type Harness, type TestStore, createHarness } from '../../../test/harness.ts';

const HEADER = 'id_num,first_name,last_name,email,phone,card_num,pin,accesslevels,access_effective,access_expires,enabled';
const FAILED = 'Validation errors found. Batch has failed. Details provided.';

/** A people file: the header and one line per row. */
const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

/** `n` valid rows for new people P1…Pn, as lines of a file with HEADER. */
const rows = (n: number, from = 1) =>
  Array.from(
    { length: n },
    (_, i) =>
      `P${from + i},First${from + i},Last,p${from + i}@example.com,5550000${String(from + i).padStart(4, '0')},${900000 + from + i},${1000 + from + i},,,,true`,
  );

describe.each(DIALECTS)('/user/import and /user/export on %s', (dialect) => {
  let h: Harness;
  let office: number;
  beforeEach(async () => {
    h = await createHarness(dialect);
    office = await seedAccessLevel(h.store.db, h.site.id, 'Office Doors');
    await seedAccessLevel(h.store.db, h.site.id, 'Car Park');
  });
  afterEach(async () => {
    await h.close();
  });

  const importCsv = (text: string, query = '') =>
    h.request('POST', `/api/v1/user/import${query}`, { rawBody: text, headers: { 'content-type': 'text/csv' } });
  const exportCsv = () => h.request('GET', '/api/v1/user/export');
  const list = async () => (await h.request('GET', '/api/v1/user')).body.data as Record<string, any>[];
  const detail = async (idNum: string) => (await h.request('GET', `/api/v1/user?id_num=${idNum}`)).body.data[0] as Record<string, any>;
  const summary = (fields: Record<string, unknown>) => ({ data: { submitted: 0, inserted: 0, updated: 0, errors: 0, dry_run: false, ...fields } });

  itRequiresApiKey(() => h, 'POST', '/api/v1/user/import');
  itRequiresApiKey(() => h, 'GET', '/api/v1/user/export');

  describe('import', () => {
    it('creates people from columns in any order, optional ones left out, with several cards and levels by name', async () => {
      const response = await importCsv(
        csv(
          'last_name,first_name,id_num,email,phone,pin,card_num,accesslevels,enabled,access_expires',
          'Brown,Susan,329359,susan.brown@web.place,33344455555,8822,8769;8770,Office Doors; car park ,true,2030-07-10T12:00:00Z',
          '"Smith, Jr.",Ann,A2,ann@example.com,5551234567,1234,,,false,',
        ),
      );
      expect(response.body).toEqual(summary({ submitted: 2, inserted: 2 }));
      const susan = await detail('329359');
      expect(susan).toMatchObject({
        first_name: 'Susan',
        last_name: 'Brown',
        email: 'susan.brown@web.place',
        phone: '33344455555',
        pin: '****',
        card_num: '8769',
        access_effective: '',
        access_expires: '2030-07-10T12:00:00.000Z',
        enabled: true,
      });
      expect(susan.credentials.map((c: { card_num: string }) => c.card_num)).toEqual(['8769', '8770']);
      expect(susan.accesslevels.map((l: { name: string }) => l.name)).toEqual(['Office Doors', 'Car Park']);
      expect(await detail('A2')).toMatchObject({ last_name: 'Smith, Jr.', enabled: false, card_num: '', accesslevels: [] });
    });

    it('updates the person an id_num already names: only the cells given change, cards are added, the PIN is kept', async () => {
      const [before] = await createUsers(h, [
        newUser({ id_num: 'E1', email: 'e1@example.com', card_num: '100', pin: '4455', accesslevels: [{ id: office }] }),
      ]);
      const response = await importCsv(csv('id_num,phone,card_num,accesslevels', 'E1,5550001111,100;200,Car Park'));
      expect(response.body).toEqual(summary({ submitted: 1, updated: 1 }));
      const after = await detail('E1');
      expect(after).toMatchObject({ id: before?.id, first_name: before?.first_name, email: 'e1@example.com', phone: '5550001111', pin: '****' });
      expect(after.credentials.map((c: { card_num: string }) => c.card_num)).toEqual(['100', '200']);
      expect(after.accesslevels.map((l: { name: string }) => l.name)).toEqual(['Car Park']);
      expect(await list()).toHaveLength(1);
    });

    it('refuses a row whose email or card is another person’s, with the batch API’s messages', async () => {
      await createUsers(h, [newUser({ id_num: 'E1', email: 'taken@example.com', card_num: '100' })]);
      const response = await importCsv(csv(HEADER, 'N1,New,Person,TAKEN@example.com,5551234567,100,,,,,', 'E1,,,,,,,,,,'));
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        result: [FAILED],
        errors: [
          {
            error: ['Line 2: Missing or blank pin', 'Line 2: Email Already Exists: TAKEN@example.com', 'Line 2: Card Number Already Exists: 100'],
            input_data: {
              line: 2,
              id_num: 'N1',
              first_name: 'New',
              last_name: 'Person',
              email: 'TAKEN@example.com',
              phone: '5551234567',
              card_num: '100',
            },
          },
        ],
      });
    });

    it('names the line, field and value of every problem, never echoes a PIN, and writes nothing', async () => {
      const response = await importCsv(
        csv(
          HEADER,
          'G1,Good,Row,good@example.com,5551234567,,1234,,,,',
          'B1,Bad,Email,not-an-email,5551234567,12A4,99887766,Nowhere,,,maybe',
          ',,Blank,b2@example.com,5551234567,,1234,,someday,,',
          'G1,Again,Row,g2@example.com,5551234567,,1234,,,,',
        ),
      );
      expect(response.status).toBe(400);
      expect(response.body.result).toEqual([FAILED]);
      expect(response.body.errors.map((e: { error: string[] }) => e.error)).toEqual([
        [
          'Line 3: Invalid access level name found: Nowhere',
          'Line 3: Invalid enabled found (expected true or false): maybe',
          'Line 3: Invalid email address found: not-an-email',
          'Line 3: Non-Numeric card_num found: 12A4',
        ],
        ['Line 4: Missing or blank id_num', 'Line 4: Missing or blank first_name', 'Line 4: Invalid access_effective date found: someday'],
        ['Line 5: ID Number Duplicated In Batch: G1'],
      ]);
      expect(JSON.stringify(response.body)).not.toContain('99887766');
      expect(await list()).toEqual([]);
    });

    it('numbers lines as the text has them: quoted cells over several lines, blank lines, CRLF and a BOM', async () => {
      const bad = (idNum: string, lastName: string) => `${idNum},Ann,${lastName},not-an-email,5551234567,,1234,,,,`;
      const linesOf = async (text: string) =>
        ((await importCsv(text)).body.errors as { error: string[] }[]).map((e) => [...new Set(e.error.map((m) => m.split(':')[0]))]);
      // A row is numbered by the line it ends on; blank lines are skipped but counted.
      expect(await linesOf(csv(HEADER, bad('M1', '"Two\nLines"'), '', '', bad('M2', 'One'), bad('M3', '"Three\n\nLines"'), bad('M4', 'x')))).toEqual([
        ['Line 3'],
        ['Line 6'],
        ['Line 9'],
        ['Line 10'],
      ]);
      // csv-parse counts a CRLF inside a quoted cell as two lines, and the answers have always said so.
      const crlf = `\uFEFF${[HEADER, '', bad('C1', '"Two\r\nLines"'), bad('C2', 'x'), '', bad('C3', '"a\rb"'), bad('C4', 'y')].join('\r\n')}`;
      expect(await linesOf(crlf)).toEqual([['Line 5'], ['Line 6'], ['Line 9'], ['Line 10']]);
    });

    it('checks a file across its chunks: an id_num or email repeated 2,000 rows later is found, and nothing is written', async () => {
      const response = await importCsv(
        csv(HEADER, ...rows(2500), 'P1,Again,Row,again@example.com,5551234567,,1234,,,,', 'Q1,Q,Row,p7@example.com,5551234567,,1234,,,,'),
      );
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { error: string[] }) => e.error)).toEqual([
        ['Line 2502: ID Number Duplicated In Batch: P1'],
        ['Line 2503: Email Already Exists: p7@example.com'],
      ]);
      expect(await list()).toEqual([]);
    });

    it('dry_run says what would change and writes nothing, problems or none', async () => {
      await createUsers(h, [newUser({ id_num: 'P1', email: 'p1@example.com' })]);
      const clean = await importCsv(csv(HEADER, ...rows(3)), '?dry_run=true');
      expect(clean.body).toEqual(summary({ submitted: 3, inserted: 2, updated: 1, dry_run: true }));
      const faulty = await importCsv(csv(HEADER, ...rows(2), 'X,,,,,,,,,,'), '?dry_run=true');
      expect(faulty.status).toBe(200);
      expect(faulty.body).toEqual({
        ...summary({ submitted: 3, inserted: 1, updated: 1, errors: 1, dry_run: true }),
        errors: [{ error: expect.arrayContaining(['Line 4: Missing or blank first_name']), input_data: { line: 4, id_num: 'X' } }],
      });
      expect((await list()).map((u) => u.id_num)).toEqual(['P1']);
      const audit = await h.store.db.selectFrom('audit').select('action').where('site_id', '=', h.site.id).where('action', '=', 'import').execute();
      expect(audit).toEqual([]);
    });

    it('with validate_fails_batch=false writes the rows that pass and lists the others', async () => {
      const response = await importCsv(csv(HEADER, ...rows(2), 'X,,,,,,,,,,'), '?validate_fails_batch=false');
      expect(response.body).toMatchObject({ data: { submitted: 3, inserted: 2, errors: 1 }, errors: [{ input_data: { line: 4 } }] });
      expect((await list()).map((u) => u.id_num)).toEqual(['P1', 'P2']);
    });

    it('answers text that is not a people file in the Lockt envelope, never with a 500', async () => {
      const cases: [string, string][] = [
        [csv(HEADER, 'P1,"Unterminated,Last,p@example.com,5551234567,,1234,,,,'), 'Could not parse CSV: Quote Not Closed'],
        [csv('id_num,first_name,nickname', 'P1,Ann,Annie'), 'Unknown CSV column found: nickname'],
        [csv('id_num,first_name,id_num', 'P1,Ann,P2'), 'CSV column Duplicated In Header: id_num'],
        [csv(HEADER, 'P1,Ann'), 'Could not parse CSV: Invalid Record Length'],
        [csv(HEADER), 'No data found: the CSV has a header row and no rows.'],
        [csv(HEADER, 'P1,A\u0000n,B,p@example.com,5551234567,,1234,,,,'), 'Invalid text (a NUL or an unpaired surrogate) in line 2.first_name'],
        [
          csv(HEADER, 'P1,A\u202En,B,p@example.com,5551234567,,1234,,,,'),
          'Invalid text (an invisible or direction control character) in line 2.first_name',
        ],
        ['', 'No data found: the CSV has no header row'],
      ];
      for (const [text, message] of cases) {
        const response = await importCsv(text);
        expect(response.status, text).toBe(400);
        expect(response.body, text).toEqual({ result: [expect.stringContaining(message)], errors: [] });
      }
      const json = await h.request('POST', '/api/v1/user/import', { body: { users: [newUser()] } });
      expect(json.status).toBe(415);
      const elsewhere = await h.request('POST', '/api/v1/user', { rawBody: csv(HEADER, ...rows(1)), headers: { 'content-type': 'text/csv' } });
      expect(elsewhere.status).toBe(415);
      const option = await importCsv(csv(HEADER, ...rows(1)), '?dry_run=maybe');
      expect(option.status).toBe(400);
      expect(await list()).toEqual([]);
    });

    it('reads a file sent over a real socket in pieces, without a length', async () => {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = h.app.server.address() as AddressInfo;
      const answer = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        const request = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/user/import', headers: { ...h.credentials, 'content-type': 'text/csv' } },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => {
              text += chunk.toString();
            });
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        request.on('error', reject);
        const text = csv(HEADER, ...rows(1500));
        // Cut mid-row, so that rows arrive in pieces.
        for (let at = 0; at < text.length; at += 7_777) request.write(text.slice(at, at + 7_777));
        request.end();
      });
      expect(answer).toEqual({ status: 200, body: summary({ submitted: 1500, inserted: 1500 }) });
    });

    it('records the import in the audit trail, and a door decides on the imported card at once', async () => {
      const door = await seedDoor(h.store.db, h.site.id, 'Front Door');
      const schedule = await seedSchedule(h.store.db, h.site.id, 'Always');
      await seedLevelWithDoors(h.store.db, h.site.id, 'Front', [door], { scheduleId: schedule });
      const device = await h.device({ doorIds: [door] });
      const decide = async () =>
        (await device.request('POST', '/api/v1/device/access', { body: { door_id: door, card_num: '777' } })).body.data.granted;
      expect(await decide()).toBe(false);
      await importCsv(
        csv('id_num,first_name,last_name,email,phone,pin,card_num,accesslevels', 'D1,Dee,Door,d@example.com,5551234567,2468,777,Front'),
      );
      expect(await decide()).toBe(true);
      const audit = await h.store.db
        .selectFrom('audit')
        .select(['resource', 'action', 'record_ids', 'actor'])
        .where('action', '=', 'import')
        .execute();
      expect(audit).toEqual([{ resource: 'users', action: 'import', record_ids: String((await detail('D1')).id), actor: h.credentials.apiuser }]);
    });
  });

  describe('export', () => {
    it('writes every cardholder in the import’s format, PIN column empty, and imports back unchanged', async () => {
      await createUsers(h, [
        newUser({
          id_num: 'R1',
          first_name: 'Quote "Q"',
          card_num: '100',
          pin: '97531',
          accesslevels: [{ id: office }],
          access_expires: '2031-01-01T00:00:00Z',
        }),
        newUser({ id_num: 'R2', last_name: 'Comma, Esq.', enabled: false }),
      ]);
      await h.request('PUT', '/api/v1/user', { body: { users: [{ id: (await detail('R1')).id, card_num: '100' }] } });
      const exported = await exportCsv();
      expect(exported.status).toBe(200);
      expect(exported.headers['content-type']).toBe('text/csv; charset=utf-8');
      const lines = exported.text.trim().split('\n');
      expect(lines[0]).toBe(HEADER);
      expect(lines[1]).toMatch(/^R1,"Quote ""Q""",Greswell,person\d+@example.com,8184365134,100,,Office Doors,,2031-01-01T00:00:00.000Z,true$/);
      expect(lines[2]).toMatch(/^R2,Rhea,"Comma, Esq.",.*,,,,,false$/);
      expect(exported.text).not.toContain('97531');

      const before = await Promise.all(['R1', 'R2'].map(detail));
      const again = await importCsv(exported.text);
      expect(again.body).toEqual(summary({ submitted: 2, updated: 2 }));
      expect(await Promise.all(['R1', 'R2'].map(detail))).toEqual(before);
    });

    it('streams a list of thousands read in chunks, only this site’s', async () => {
      expect((await importCsv(csv(HEADER, ...rows(2500)))).body).toEqual(summary({ submitted: 2500, inserted: 2500 }));
      const other = await h.addSite('Other');
      const theirs = await h.request('GET', '/api/v1/user/export', { as: other.credentials });
      expect(theirs.text).toBe(`${HEADER}\n`);
      const lines = (await exportCsv()).text.trim().split('\n');
      expect(lines).toHaveLength(2501);
      expect(lines[2500]).toMatch(/^P2500,First2500,Last,p2500@example.com,55500002500,902500,,,,,true$/);
    });
  });

  describe('CLI', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'people-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    /** The CLI pointed at the store the app uses: the SQLite file, or the PostgreSQL schema. */
    const cli = (...args: string[]) => {
      const { dataDir, databaseUrl, pgSchema } = h.store as TestStore;
      if (!databaseUrl) return runCli([...args, '--data', dataDir]);
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${pgSchema}`);
      return runCli([...args, '--data', dataDir, '--database-url', url.toString()]);
    };

    it('user import --dry-run, import and export work on a file, as the API does', async () => {
      const file = join(dir, 'people.csv');
      const site = String(h.site.id);
      await writeFile(file, csv(HEADER, ...rows(3), 'X,,,,,,,,,,'));
      const dry = await cli('user', 'import', '--site', site, '--file', file, '--dry-run');
      expect(dry.code).toBe(1);
      expect(dry.stdout).toContain('Would create 3 and update 0 of 4 rows; 1 with problems.\nLine 5: Missing or blank first_name');
      expect(await list()).toEqual([]);

      await writeFile(file, csv(HEADER, ...rows(3)));
      const done = await cli('user', 'import', '--site', site, '--file', file, '--json');
      expect(done.code, done.stderr).toBe(0);
      expect(JSON.parse(done.stdout)).toEqual(summary({ submitted: 3, inserted: 3 }));

      const out = join(dir, 'out.csv');
      const exported = await cli('user', 'export', '--site', site, '--file', out);
      expect(exported.code, exported.stderr).toBe(0);
      expect(await readFile(out, 'utf8')).toBe((await exportCsv()).text);
      const toStdout = await cli('user', 'export', '--site', site);
      expect(toStdout.stdout).toBe((await exportCsv()).text);

      const missing = await cli('user', 'import', '--site', site, '--file', join(dir, 'none.csv'));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/ENOENT/);
    });
  });
});
