import { DateTime } from 'luxon';
import type { LockdownFacts } from '../../src/access/door-mode.ts';

/**
 * A lockdown plan as the engine reads it: the fire drill an operator started on a Berlin afternoon, which
 * the door-mode and decision tables both stand on (each changes what its row is about).
 */
export const startedPlan = (over: Partial<LockdownFacts> = {}): LockdownFacts => ({
  id: 1,
  name: 'Fire drill',
  mode: 'lockdown',
  priority: 10,
  since: DateTime.fromISO('2026-11-25T14:02:00', { zone: 'Europe/Berlin' }).toMillis(),
  until: null,
  by: 'operator alice',
  responderLevelIds: [],
  ...over,
});
