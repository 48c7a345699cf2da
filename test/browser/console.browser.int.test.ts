import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameKey } from '../../src/domain/names.ts';
import type { Site } from '../../src/domain/site.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createTimeProfile } from '../../src/modules/time-profiles/time-profiles.service.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';
import { createSite } from '../../src/modules/sites/sites.service.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { type ChildServer, Client, startServe } from '../crash/child-server.ts';
import { seedDoor, seedSchedule } from '../factories/access.ts';
import { seedAccessLevel } from '../factories/people.ts';
import { DIALECTS, type TestStore, openTestStore } from '../harness.ts';

/**
 * The operator console in a real browser (Debian's Chromium, driven by playwright-core) against a real
 * `portcullis serve` on each store: each role signs in, meets what it may not do, and the manager
 * creates a person with a card and access and watches a device's decision arrive in the live feed.
 * Screenshots of each screen go to test/browser/screenshots/ (ignored by git; README.md shows a copy of the
 * dashboard's, docs/console-dashboard.png, refreshed by hand when the screen changes).
 */

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('screenshots/', import.meta.url));
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PASSWORD = 'console test password';

// Like the PostgreSQL suite: skipped, loudly, on a machine without Chromium (`npm test` right after
// `npm install`); a failure instead where it is required (CI, which installs Chromium first).
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  const missing = `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.PORTCULLIS_REQUIRE_BROWSER === '1') throw new Error(`The browser suite is required, but there is ${missing}.`);
  console.warn(`\n${'!'.repeat(100)}\n!!! Browser suite SKIPPED: ${missing}.\n${'!'.repeat(100)}\n`);
}

describe.skipIf(!HAS_CHROMIUM).each(DIALECTS)('the operator console in Chromium (%s)', (dialect) => {
  let store: TestStore;
  let server: ChildServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let base: string;
  let device: Client;
  let doorId: number;
  let harbour: Site;

  beforeAll(async () => {
    store = await openTestStore(dialect);
    const { site } = await createSite(store.db, { name: 'Harbour Office', timezone: 'Europe/London' }, systemClock);
    harbour = site;
    for (const role of ['admin', 'manager', 'installer'] as const) {
      await createOperator(store.db, site.id, { username: `${role}-${dialect}`, password: PASSWORD, role }, systemClock);
    }
    doorId = await seedDoor(store.db, site.id, 'Front door');
    const schedule = await seedSchedule(store.db, site.id, 'Always');
    const level = await seedAccessLevel(store.db, site.id, 'Staff');
    await seedAccessLevel(store.db, site.id, 'Visitors');
    await store.db
      .insertInto('access_level_door')
      .values({ access_level_id: level, door_id: doorId, schedule_id: schedule, site_id: site.id })
      .execute();
    const issued = await createDevice(store.db, site, { name: 'Front reader', doorIds: [doorId] }, systemClock);
    // A BAS-IP time profile: Monday 2 March 2026, 06:00 to 07:00 on London's clocks, not repeated.
    await createTimeProfile(
      store.db,
      { site, actor: { kind: 'cli', name: 'test' }, now: Date.now() },
      {
        name: 'Cleaners',
        time_options: { is_all_day: false, date_from: Date.UTC(2026, 2, 2, 6) / 1000, date_to: Date.UTC(2026, 2, 2, 7) / 1000 },
        repeat_options: { repeat_enable: false },
      },
    );
    const databaseUrl =
      store.databaseUrl && `${store.databaseUrl}${store.databaseUrl.includes('?') ? '&' : '?'}options=-c%20search_path%3D${store.pgSchema}`;
    server = await startServe({ dataDir: store.dataDir, databaseUrl }, { PORTCULLIS_RATE_LIMIT: '0' });
    base = `https://localhost:${server.port}`;
    device = new Client(server.port, { authorization: `Bearer ${issued.deviceKey}` });
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'portcullis-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      ignoreHTTPSErrors: true,
      viewport: { width: 1400, height: 900 },
      // The devices screen copies a new device's key to the clipboard.
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    // A step that cannot happen fails on its own words, well before the test's timeout.
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await server?.stop();
    await store?.close();
  });

  /**
   * Every screen the suite walks: its screenshot, and axe-core's accessibility check (issue 16: no serious
   * or critical violation on any page), each violation named with the elements it found.
   */
  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, dialect === 'sqlite' ? `${name}.png` : `${name}-${dialect}.png`), fullPage: true });
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(serious, `accessibility of the ${name} screen`).toEqual([]);
  }

  async function signIn(role: string): Promise<void> {
    await page.goto(`${base}/console`);
    await page.getByLabel('Username').fill(`${role}-${dialect}`);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  }

  /** A console API call from the page, with the session's cookie and (unless told not to) its CSRF token. */
  function fromPage(method: string, path: string, body: unknown, withCsrf = true): Promise<number> {
    return page.evaluate(
      async ({ method, path, body, withCsrf }) => {
        const session = await (await fetch('/console/api/session')).json();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (withCsrf) headers['x-csrf-token'] = session.csrf_token;
        return (await fetch(`/console/api/${path}`, { method, headers, body: JSON.stringify(body) })).status;
      },
      { method, path, body, withCsrf },
    );
  }

  it('refuses a wrong password, then lets an installer in without offering people, and refuses them', async () => {
    await page.goto(`${base}/console`);
    await shot('sign-in');
    await page.getByLabel('Username').fill(`installer-${dialect}`);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong login or password').waitFor();

    await signIn('installer');
    expect(await page.getByRole('link', { name: 'People' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Revoke' }).count()).toBe(1);
    await page.goto(`${base}/console/people`);
    await page.getByRole('heading', { name: 'Not here' }).waitFor();
    expect(await fromPage('POST', 'people', { first_name: 'Not', last_name: 'Allowed' })).toBe(403);
    await page.goto(`${base}/console/doors/${doorId}`);
    await page.getByRole('heading', { name: 'Front door' }).waitFor();
    expect(await page.getByRole('button', { name: 'Unlock now' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Who can open it now' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Explain' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    expect(await fromPage('POST', `doors/${doorId}/unlock`, {})).toBe(403);
    await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Front reader' }).waitFor();
    expect(await page.getByRole('heading', { name: 'New device' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Attach door' }).count()).toBe(0);
    expect(await fromPage('POST', 'devices', { name: 'Not allowed', door_ids: [] })).toBe(403);
    expect(await fromPage('PATCH', 'site', { name: 'Not allowed' })).toBe(403);
    expect(await fromPage('POST', 'api-keys', {})).toBe(403);
    expect(await page.getByRole('link', { name: 'Access', exact: true }).count()).toBe(0);
    expect(await fromPage('POST', 'access/levels', { name: 'Not allowed' })).toBe(403);
    await signOut();
  });

  it('lets a manager create a person with a card and access, disable, edit and re-card them, find them, and see their decision arrive live', async () => {
    await signIn('manager');
    expect(await page.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await fromPage('POST', 'devices/1/revoke', {})).toBe(403);

    await page.getByRole('link', { name: 'People' }).click();
    await page.getByRole('link', { name: 'New person' }).click();
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel('ID number').fill('E-1001');
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Phone').fill('+44 20 7946 0001');
    await page.getByLabel('PIN').fill('482913');
    await page.getByLabel('Card number (optional)').fill('7301234');
    await page.getByLabel('Staff').check();
    await shot('new-person');
    await page.getByRole('button', { name: 'Create person' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    await page.getByRole('button', { name: 'Revoke card 7301234' }).waitFor();
    expect(await page.getByLabel('Staff').isChecked()).toBe(true);
    expect(await page.content()).not.toContain('482913');
    await shot('person');

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Disabled', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('Enabled', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Edit details' }).click();
    await page.getByLabel('Phone').fill('+44 20 7946 0002');
    await shot('edit-person');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('+44 20 7946 0002').waitFor();
    await page.getByRole('button', { name: 'Revoke card 7301234' }).click();
    await page.getByText('No cards, fobs or identifiers.').waitFor();
    await page.getByLabel('Card number').fill('7301234');
    await page.getByRole('button', { name: 'Add card' }).click();
    await page.getByRole('button', { name: 'Revoke card 7301234' }).waitFor();

    await page.getByRole('link', { name: '← People' }).click();
    await page.getByLabel('Search people').fill('hop');
    await page.getByRole('link', { name: 'Grace Hopper' }).waitFor();
    await page.getByLabel('Search people').fill('7301');
    await page.getByRole('link', { name: 'Grace Hopper' }).waitFor();
    await shot('people');

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByText('Live', { exact: true }).waitFor();
    const granted = await device.call('POST', '/api/v1/device/access', { door_id: doorId, card_num: '7301234' });
    expect(granted.body.data.granted).toBe(true);
    const denied = await device.call('POST', '/api/v1/device/access', { door_id: doorId, card_num: '9999999' });
    expect(denied.body.data.granted).toBe(false);
    const row = page.locator(`.feed li.event.granted[data-event-id="${granted.body.data.event_id}"]`);
    await row.waitFor();
    await page.locator(`.feed li.event.denied[data-event-id="${denied.body.data.event_id}"]`).waitFor();
    expect(await page.locator('.feed li').first().getAttribute('data-event-id')).toBe(String(denied.body.data.event_id));
    expect(await row.getByRole('link', { name: 'Hopper, Grace' }).getAttribute('href')).toMatch(/^\/console\/people\/[0-9]+$/);
    await shot('dashboard');
    await signOut();
  });

  it('lets a manager give a person a fob, a PIN and a BAS-IP identifier with a pass limit, set their access window, and anonymize them after typing their name', async () => {
    await signIn('manager');
    await page.getByRole('link', { name: 'People' }).click();
    await page.getByRole('link', { name: 'New person' }).click();
    await page.getByLabel('First name').fill('Alan');
    await page.getByLabel('Last name').fill('Turing');
    await page.getByLabel('ID number').fill('E-1002');
    await page.getByLabel('Email').fill('alan@example.com');
    await page.getByLabel('Phone').fill('+44 20 7946 0003');
    await page.getByLabel('PIN').fill('551902');
    await page.getByRole('button', { name: 'Create person' }).click();
    await page.getByRole('heading', { name: 'Alan Turing' }).waitFor();

    await page.getByRole('button', { name: 'Clear PIN' }).click();
    await page.getByText('PIN: none').waitFor();
    await page.getByLabel('New PIN').fill('551903');
    await page.getByRole('button', { name: 'Set PIN' }).click();
    await page.getByText('PIN: set (never shown)').waitFor();

    await page.getByLabel('Fob name').fill('Grey fob');
    await page.getByLabel('Fob ID number').fill('FOB-77');
    await page.getByLabel('Number on the fob (optional)').fill('7305555');
    await page.getByRole('button', { name: 'Add fob' }).click();
    await page.getByRole('cell', { name: 'Grey fob (7305555)' }).waitFor();

    await page.getByLabel('Kind').selectOption('qr');
    await page.getByLabel('Number', { exact: true }).fill('not a uuid');
    await page.getByRole('button', { name: 'Add identifier' }).click();
    await page.getByRole('alert').getByText('Wrong identifier_number for qr: not a uuid (expected a UUID)').waitFor();
    await page.getByLabel('Kind').selectOption('inputCode');
    await page.getByLabel('Number', { exact: true }).fill('2468');
    await page.getByLabel('Pass limit (empty: none)').fill('5');
    await page.getByRole('button', { name: 'Add identifier' }).click();
    const code = page.locator('table.credentials tr', { hasText: 'Input code (BAS-IP)' });
    await code.getByRole('cell', { name: '5 of 5' }).waitFor();
    // Two passes used (as a panel's reports would use them), then the whole allowance given back.
    await store.db.updateTable('credential').set({ passes_left: 3 }).where('card_num', '=', '2468').execute();
    await page.reload();
    await code.getByRole('cell', { name: '3 of 5' }).waitFor();
    await code.getByRole('button', { name: 'Refill passes of 2468' }).click();
    await code.getByRole('cell', { name: '5 of 5' }).waitFor();

    await page.getByLabel('From (Europe/London; empty: always)').fill('2026-01-01 08:00:00');
    await page.getByLabel('Until (Europe/London; empty: no end)').fill('2030-07-01 18:00:00');
    await page.getByRole('button', { name: 'Save access window' }).click();
    await page.getByText('2026-01-01 08:00:00 to 2030-07-01 18:00:00 (Europe/London)').waitFor();
    await page.getByRole('heading', { name: 'Apartment, time profiles and delegations' }).waitFor();
    await shot('person-credentials');

    await page.getByLabel('Type Alan Turing to confirm').fill('Alan');
    await page.getByRole('button', { name: 'Anonymize' }).click();
    await page.getByRole('alert').getByText('To anonymize this person, type Alan Turing to confirm.').waitFor();
    await page.getByLabel('Type Alan Turing to confirm').fill('Alan Turing');
    await page.getByRole('button', { name: 'Anonymize' }).click();
    await page.getByRole('heading', { name: /^Anonymized User [0-9]+$/ }).waitFor();
    expect(await page.getByText('alan@example.com').count()).toBe(0);
    await page.getByRole('cell', { name: 'Grey fob (7305555)' }).waitFor();
    await shot('person-anonymized');
    await signOut();
  });

  it('lets a manager unlock a door once confirmed, see who can open it, explain a denial, filter and export events, and read the audit log', async () => {
    await signIn('manager');
    expect(await fromPage('POST', 'emergency-open', { lock_number: 0 })).toBe(403);
    expect(await page.getByRole('link', { name: 'Devices' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Emergency opening' }).count()).toBe(0);
    await page.getByRole('navigation').getByRole('link', { name: 'Doors' }).click();
    await page.getByRole('heading', { name: 'Doors', exact: true }).waitFor();
    await shot('doors');
    await page.getByRole('link', { name: 'Front door' }).click();
    await page.getByRole('heading', { name: 'Front door' }).waitFor();
    await page.locator('.openers').getByRole('link', { name: 'Grace Hopper' }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Unlock now' }).click();
    await page.getByText('Unlock sent to 1 device.').waitFor();
    await page.goto(`${base}/console/doors/${doorId}`);
    await page.getByRole('cell', { name: 'Remote Unlock Requested' }).first().waitFor();
    await shot('door');

    await page.getByRole('navigation').getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Outcome').selectOption('denied');
    await page.getByLabel('Door').selectOption(String(doorId));
    await page.getByRole('button', { name: 'Filter' }).click();
    // The filtered page replaces the first one, which held the granted decisions too.
    await page.locator('table.events tbody tr.granted').first().waitFor({ state: 'detached' });
    const denied = page.locator('table.events tbody tr', { hasText: '9999999' });
    await denied.waitFor();
    await shot('events');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path()) ?? '', 'utf8');
    expect(csv.split('\n')[0]).toBe('id,time,event,outcome,reason,person,person_id,door,door_id,device,card_num');
    expect(csv).toContain('Access Denied,denied,Unknown Credential,,,Front door');
    expect(csv).not.toContain('Access Granted');

    await denied.getByRole('link', { name: 'Why?' }).click();
    await page.getByRole('heading', { name: 'Explain a decision' }).waitFor();
    await page.getByRole('heading', { name: 'Card 9999999: Denied — Unknown Credential' }).waitFor();
    await page.getByText('✗ The credential is known').waitFor();
    await shot('explain');
    await page.getByLabel('Card number').fill('7301234');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('heading', { name: 'Card 7301234: Granted' }).waitFor();

    await page.getByRole('navigation').getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page
      .getByRole('cell', { name: `manager-${dialect} (operator)` })
      .first()
      .waitFor();
    await shot('audit');
    await signOut();
  });

  it('lets a manager edit a time profile’s rule: the panel face’s message inline, then its new week', async () => {
    await signIn('manager');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Access', exact: true }).click();
    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('link', { name: 'Cleaners' }).click();
    await page.getByRole('heading', { name: 'Edit the rule' }).waitFor();
    await page.getByLabel('Repeats', { exact: true }).selectOption('custom');
    await page.getByLabel(/^Custom repeat/).fill('{"repeat_point_type":"fortnight","repeat_looper":1}');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page
      .getByRole('alert')
      .getByText(/repeat_point_type/)
      .waitFor();
    await page.getByLabel('Repeats', { exact: true }).selectOption('day');
    await page.getByLabel(/^Custom repeat/).fill('');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByText('Rule saved.').waitFor();
    await page.getByLabel('Week of').fill('2026-03-25');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByText('2026-03-29 06:00:00 +01:00 until 2026-03-29 07:00:01 +01:00').waitFor();
    await shot('time-profile');
    await signOut();
  });

  it('lets a manager edit an access level as a door × schedule grid, see a schedule’s week across a DST change, and filter the audit log', async () => {
    await signIn('manager');
    const console = page.getByRole('navigation', { name: 'Console' });
    await console.getByRole('link', { name: 'Access', exact: true }).click();
    await page.getByRole('heading', { name: 'Access', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Visitors' }).waitFor();
    await shot('access-levels');
    // A Lockt rule's message, shown as the face gives it.
    await page.getByLabel('Name').fill('staff');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('alert').getByText('Access Level Name Already Exists: staff').waitFor();

    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('heading', { name: 'New schedule' }).waitFor();
    await page.getByLabel('Name').fill('Night shift');
    for (const day of ['Sat', 'Sun']) await page.getByLabel(day, { exact: true }).check();
    await page.getByLabel('Start', { exact: true }).fill('22:00:00');
    await page.getByLabel(/^Stop/).fill('05:59:59');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { name: 'Night shift' }).waitFor();
    await page.getByRole('table').getByText('Open').first().waitFor();
    // London's clocks go from 01:00 to 02:00 on Sunday 29 March 2026: that hour is skipped, the night shorter.
    await page.getByLabel('Week of').fill('2026-03-25');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByRole('cell', { name: 'Skipped (clocks go forward)' }).waitFor();
    await page.getByText('2026-03-28 22:00:00 +00:00 until 2026-03-29 06:00:00 +01:00').waitFor();
    await shot('schedule-week');

    await console.getByRole('link', { name: 'Access', exact: true }).click();
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('heading', { name: 'Staff' }).waitFor();
    expect(await page.getByLabel('Front door on Always').isChecked()).toBe(true);
    await page.getByLabel('Add a schedule column').selectOption({ label: 'Night shift' });
    await page.getByRole('button', { name: 'Add column' }).click();
    await page.getByLabel('Front door on Night shift').check();
    await page.getByRole('button', { name: 'Save doors' }).click();
    await page.getByText('Saved.').waitFor();
    await shot('access-level');
    await page.reload();
    await page.getByRole('heading', { name: 'Staff' }).waitFor();
    expect(await page.getByLabel('Front door on Night shift').isChecked()).toBe(true);

    await console.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Who').selectOption(`manager-${dialect}`);
    await page.getByLabel('Resource').selectOption('accesslevels');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'write accesslevels' }).first().waitFor();
    await page.getByRole('cell', { name: 'write users' }).first().waitFor({ state: 'detached' });
    expect(page.url()).toContain('resource=accesslevels');
    await shot('audit-filtered');
    await signOut();
  });

  it('lets an admin open every lock in an emergency, set up and revoke devices, change the site settings, make and revoke an API key, and refuses a write without the CSRF token even to an admin', async () => {
    await signIn('admin');
    await page.getByRole('navigation').getByRole('link', { name: 'Doors' }).click();
    await page.getByLabel('Lock number (0: every lock)').fill('0');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Emergency open' }).click();
    await page.getByText('Emergency opening sent: 1 unlock command queued.').waitFor();

    await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
    await page.getByLabel('Device name').fill('Side panel');
    await page.getByRole('checkbox', { name: 'Front door' }).check();
    await page.getByRole('button', { name: 'Create device' }).click();
    const key = await page.getByRole('textbox', { name: 'Device key' }).inputValue();
    expect(key.length).toBeGreaterThan(20);
    expect(await page.getByRole('textbox', { name: 'Panel URL' }).inputValue()).toBe(`${base}/api/v1/panel/${key}/access`);
    await page.getByRole('button', { name: 'Copy Device key' }).click();
    await page.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    const side = page.getByRole('region', { name: 'Side panel' });
    await side.getByText('Lock 1: Front door').waitFor();
    await shot('devices');
    const asked = await new Client(server.port, { authorization: `Bearer ${key}` }).call('POST', '/api/v1/device/access', {
      door_id: doorId,
      card_num: '7301234',
    });
    expect(asked.body.data.granted).toBe(true);
    await side.getByRole('button', { name: 'Detach Front door from Side panel' }).click();
    await side.getByText('Drives no door.').waitFor();
    await side.getByLabel('Door', { exact: true }).selectOption(String(doorId));
    await side.getByRole('button', { name: 'Attach door' }).click();
    await side.getByText('Lock 1: Front door').waitFor();
    await page.reload();
    expect(await page.getByRole('textbox', { name: 'Device key' }).count()).toBe(0);

    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Site name').fill('Harbour Office East');
    await page.getByLabel('Most events one GET /events answers').fill('2500');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.locator('.top .site').getByText('Harbour Office East').waitFor();
    expect(await page.getByLabel('Most events one GET /events answers').inputValue()).toBe('2500');
    await page.getByRole('button', { name: 'New API key' }).click();
    const apiuser = await page.getByRole('textbox', { name: 'apiuser' }).inputValue();
    const apikey = await page.getByRole('textbox', { name: 'apikey' }).inputValue();
    const lockt = new Client(server.port, { apiuser, apikey });
    expect((await lockt.call('GET', '/api/v1/door')).status).toBe(200);
    await page.getByLabel(`Batch size of ${apiuser}`, { exact: true }).fill('250');
    await page.getByRole('button', { name: `Save batch size of ${apiuser}` }).click();
    await shot('settings');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Revoke ${apiuser}` }).click();
    await page.locator(`#key-${apiuser}`).getByText('Revoked').waitFor();
    expect(await page.getByLabel(`Batch size of ${apiuser}`, { exact: true }).inputValue()).toBe('250');
    expect((await lockt.call('GET', '/api/v1/door')).status).toBe(401);

    await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await fromPage('PATCH', 'people/1', { enabled: false }, false)).toBe(403);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#device-1').getByRole('button', { name: 'Revoke' }).click();
    await page.locator('#device-1').waitFor({ state: 'detached' });
    const refused = await device.call('POST', '/api/v1/device/access', { door_id: doorId, card_num: '7301234' });
    expect(refused.status).toBe(401);
    await signOut();
  });

  it('lets an installer create, rename, place and remove a door, shows a door locked as its device reports, and lets an admin call off an emergency', async () => {
    const type = await store.db
      .insertInto('location_type')
      .values({ site_id: harbour.id, name: 'Building', name_key: nameKey('Building'), created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const name of ['Annex', 'Main building']) {
      await store.db
        .insertInto('location')
        .values({ site_id: harbour.id, name, name_key: nameKey(name), location_type_id: type.id, created_at: Date.now() })
        .execute();
    }
    await signIn('installer');
    await page.getByRole('navigation').getByRole('link', { name: 'Doors' }).click();
    await page.getByRole('heading', { name: 'New door' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Emergency opening' }).count()).toBe(0);
    await page.getByLabel('Name', { exact: true }).fill('Front door');
    await page.getByRole('button', { name: 'Create door' }).click();
    await page.getByRole('alert').getByText('Door Name Already Exists: Front door').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Loading bay');
    await page.getByLabel('Location', { exact: true }).selectOption({ label: 'Main building' });
    await shot('door-new');
    await page.getByRole('button', { name: 'Create door' }).click();
    await page.getByRole('heading', { name: 'Loading bay' }).waitFor();
    await page.getByRole('definition').getByText('Main building').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Loading dock');
    await page.getByLabel('Location', { exact: true }).selectOption({ label: 'Annex' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Loading dock' }).waitFor();
    await page.getByRole('definition').getByText('Annex').waitFor();
    await shot('door-manage');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove door' }).click();
    await page.getByRole('heading', { name: 'Doors', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Loading dock' }).count()).toBe(0);

    // A panel that says whether its lock is locked: the door shows it beside its state.
    const panel = await createDevice(store.db, harbour, { name: 'Lock panel', doorIds: [doorId] }, systemClock);
    const reporter = new Client(server.port, { authorization: `Bearer ${panel.deviceKey}` });
    const report = { door_id: doorId, battery_level: 0.9, online: true, door_open: false, locked: true };
    expect((await reporter.call('POST', '/api/v1/device/state', report)).status).toBe(200);
    await page.reload();
    // The lock's badge (span.state), not the door's mode (span.mode): the admin's emergency opening has the door's mode unlocked.
    await page.locator(`#door-${doorId} span.state`, { hasText: /^Locked$/ }).waitFor();
    await reporter.call('POST', '/api/v1/device/state', { ...report, locked: false });
    await page.getByRole('link', { name: 'Front door' }).click();
    await page
      .getByRole('definition')
      .locator('span.state', { hasText: /^Unlocked$/ })
      .waitFor();
    await signOut();

    await signIn('admin');
    await page.getByRole('navigation').getByRole('link', { name: 'Doors' }).click();
    await page.getByLabel('Lock number (0: every lock)').fill('0');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Emergency open' }).click();
    await page.getByText(/Emergency opening sent: \d+ unlock commands? queued\./).waitFor();
    await page.getByLabel('Lock number to call off (0: every lock)').fill('0');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Call off emergency' }).click();
    await page.getByText(/Emergency called off: [1-9]\d* unlocks? withdrawn\./).waitFor();
    await shot('emergency-call-off');
    await signOut();
  });

  it('lets an admin create and start a lockdown that locks the doors with its cause, clear it, and a manager override a door and return it to schedule', async () => {
    await signIn('admin');
    // A level of its own, at all times: the access walk put Staff's Front door on the Night shift, whose
    // answer depends on the hour the suite runs.
    const staff = { id: await seedAccessLevel(store.db, harbour.id, 'Lockdown staff') };
    await store.db
      .insertInto('access_level_door')
      .values({ access_level_id: staff.id, door_id: doorId, schedule_id: null, site_id: harbour.id })
      .execute();
    const person = {
      id_num: 'LD-1',
      first_name: 'Lena',
      last_name: 'Lock',
      email: 'lena@example.com',
      phone: '555 0101',
      pin: '4826',
      card_num: '5550001',
    };
    expect(await fromPage('POST', 'people', { ...person, access_levels: [staff.id] })).toBe(200);
    // A reader of its own: an earlier walk revokes the first.
    const reader = await createDevice(store.db, harbour, { name: 'Lockdown reader', doorIds: [doorId] }, systemClock);
    const readerClient = new Client(server.port, { authorization: `Bearer ${reader.deviceKey}` });
    const decide = async () => (await readerClient.call('POST', '/api/v1/device/access', { door_id: doorId, card_num: '5550001' })).body.data;
    expect(await decide()).toMatchObject({ granted: true });
    await page.getByRole('navigation').getByRole('link', { name: 'Lockdown' }).click();
    await page.getByRole('heading', { name: 'New plan' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Campus lockdown');
    await page.getByLabel(/^Priority/).fill('20');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByText('Campus lockdown created.').waitFor();
    await shot('lockdown');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Start Campus lockdown' }).click();
    await page.getByText('Campus lockdown started.').waitFor();
    await page
      .locator('tr', { hasText: 'Campus lockdown' })
      .getByText(/since .*, by operator admin-/)
      .waitFor();
    await shot('lockdown-started');
    await page.getByRole('navigation').getByRole('link', { name: 'Doors' }).click();
    const row = page.locator(`#door-${doorId}`);
    await row.locator('.mode.locked').waitFor();
    await row.getByText(/lockdown 'Campus lockdown' \(priority 20\) since \d\d:\d\d, by operator admin-/).waitFor();
    expect(await decide()).toMatchObject({ granted: false, subcode: 118 });
    await shot('doors-lockdown');
    await page.getByRole('navigation').getByRole('link', { name: 'Lockdown' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Clear Campus lockdown' }).click();
    await page.getByText('Campus lockdown cleared.').waitFor();
    expect(await decide()).toMatchObject({ granted: true });
    await signOut();

    await signIn('manager');
    await page.goto(`${base}/console/doors/${doorId}`);
    await page.getByRole('heading', { name: 'Override' }).waitFor();
    expect(await page.locator('.mode.locked').count()).toBe(0);
    await page.getByLabel('Mode', { exact: true }).selectOption('locked');
    await page.getByLabel('Ends').selectOption('next');
    await page.getByRole('button', { name: 'Override', exact: true }).click();
    await page.getByText(/override by operator manager-\S+ \(manager\) since/).waitFor();
    await shot('door-override');
    await page.getByRole('button', { name: 'Return to schedule' }).click();
    await page.locator('.mode.access_controlled').waitFor();
    await signOut();
  });
});
