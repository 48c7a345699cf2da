import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { itRequiresApiKey } from '../common-route-tests.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

describe.each(DIALECTS)('audit trail on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  itRequiresApiKey(() => h, 'GET', '/api/v1/audit');

  it('records who wrote what, with the write, and nothing for a failed batch', async () => {
    await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'Front' }, { name: 'Back' }] } });
    const failed = await h.request('POST', '/api/v1/door', { body: { doors: [{ name: 'Front' }] } });
    expect(failed.status).toBe(400);
    const [front] = (await h.request('GET', '/api/v1/door')).body.data;
    await h.request('DELETE', '/api/v1/door', { body: { doors: [{ id: front.id }] } });
    const trail = (await h.request('GET', '/api/v1/audit?id=0')).body.data;
    expect(trail).toEqual([
      {
        id: expect.any(Number),
        actor_kind: 'api_key',
        actor: h.credentials.apiuser,
        resource: 'doors',
        action: 'write',
        record_ids: expect.any(Array),
        detail: { submitted: 2, inserted: 2, updated: 0, errors: 0 },
        at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
      expect.objectContaining({ resource: 'doors', action: 'delete', detail: { submitted: 1, deleted: 1, errors: 0 } }),
    ]);
    const newest = (await h.request('GET', '/api/v1/audit')).body.data;
    expect(newest.map((a: { action: string }) => a.action)).toEqual(['delete', 'write']);
    const other = await h.addSite('Other');
    expect((await h.request('GET', '/api/v1/audit', { as: other.credentials })).body).toEqual({ data: [] });
  });

  it('records a partial batch once, counting only what was written', async () => {
    await h.request('POST', '/api/v1/door', {
      body: { doors: [{ name: 'A' }, { name: '' }], options: { validate_fails_batch: false } },
    });
    const trail = (await h.request('GET', '/api/v1/audit')).body.data;
    expect(trail).toHaveLength(1);
    expect(trail[0].detail).toEqual({ submitted: 2, inserted: 1, updated: 0, errors: 1 });
  });
});
