import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';

describe.each(DIALECTS)('/holiday on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  const post = (holidays: object[], options?: object) => h.request('POST', '/api/v1/holiday', { body: { holidays, options } });

  itRequiresApiKey(() => h, 'GET', '/api/v1/holiday');
  itRequiresApiKey(() => h, 'POST', '/api/v1/holiday', { holidays: [{ name: 'X', start_date: '2026-12-25' }] });

  it('creates, lists, updates and deletes holidays', async () => {
    const created = await post([
      { name: 'Christmas', start_date: '2026-12-24', end_date: '2026-12-26', yearly: true },
      { name: 'Closure', start_date: '2027-01-04' },
    ]);
    expect(created.body).toEqual({ data: { submitted: 2, inserted: 2, updated: 0, errors: 0 } });
    const list = await h.request('GET', '/api/v1/holidays');
    expect(list.body.data).toEqual([
      { id: expect.any(Number), name: 'Christmas', start_date: '2026-12-24', end_date: '2026-12-26', yearly: true },
      { id: expect.any(Number), name: 'Closure', start_date: '2027-01-04', end_date: '2027-01-04', yearly: false },
    ]);
    const [christmas, closure] = list.body.data;
    const updated = await h.request('PUT', '/api/v1/holiday', { body: { holidays: [{ id: closure.id, end_date: '2027-01-08' }] } });
    expect(updated.body).toEqual({ data: { submitted: 1, inserted: 0, updated: 1, errors: 0 } });
    const deleted = await h.request('DELETE', '/api/v1/holiday', { body: { holidays: [{ id: christmas.id }] } });
    expect(deleted.body).toEqual({ data: { submitted: 1, deleted: 1, errors: 0 } });
    expect((await h.request('GET', '/api/v1/holiday')).body.data).toEqual([{ ...closure, end_date: '2027-01-08' }]);
  });

  it('refuses days that do not exist, an end before the start, and names taken', async () => {
    await post([{ name: 'Christmas', start_date: '2026-12-25' }]);
    const response = await post([
      { name: 'christmas', start_date: '2026-12-25' },
      { name: 'Leap', start_date: '2026-02-29' },
      { name: 'Backwards', start_date: '2026-05-02', end_date: '2026-05-01' },
      { name: 'Form', start_date: '25/12/2026' },
      { name: 'New Year', start_date: '2026-12-31', end_date: '2026-01-01', yearly: 'true' },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { error: string[] }) => e.error)).toEqual([
      ['Holiday Name Already Exists: christmas'],
      ['Invalid start_date found: 2026-02-29'],
      ['end_date 2026-05-01 is before start_date 2026-05-02'],
      ['Invalid start_date found (expected YYYY-MM-DD): 25/12/2026'],
    ]);
    expect((await h.request('GET', '/api/v1/holiday')).body.data).toHaveLength(1);
  });

  it('refuses an update that would put the end before the start, and unknown ids', async () => {
    await post([{ name: 'Week', start_date: '2026-08-03', end_date: '2026-08-07' }]);
    const [week] = (await h.request('GET', '/api/v1/holiday')).body.data;
    const response = await h.request('PUT', '/api/v1/holiday', {
      body: { holidays: [{ id: week.id, start_date: '2026-08-10' }, { id: 999999 }] },
    });
    expect(response.body.errors.map((e: { error: string[] }) => e.error)).toEqual([
      ['end_date 2026-08-07 is before start_date 2026-08-10'],
      ['Invalid holiday id: 999999'],
    ]);
  });

  it('never shows another site’s holidays', async () => {
    const other = await h.addSite('Other');
    await h.request('POST', '/api/v1/holiday', { body: { holidays: [{ name: 'Theirs', start_date: '2026-01-01' }] }, as: other.credentials });
    expect((await h.request('GET', '/api/v1/holiday')).body).toEqual({ data: [] });
  });
});
