import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { changeFeedOf } from './change-feed.ts';
import { pendingMigrations } from './migrate.ts';
import type { Queryable } from './queryable.ts';

/** How long the readiness check waits for the store before it says the store does not answer. */
const STORE_ANSWER_MS = 2_000;

/**
 * Why this process should not be sent traffic now, or null when it is ready: the store answers, its
 * schema is current, and the change feed hears every commit (while it does not, decisions still work,
 * from the store, but the process cannot promise its usual speed, and a feed that stays down needs an
 * operator). Never says anything about the data.
 */
export async function notReadyBecause(db: Queryable): Promise<string | null> {
  const answered = await Promise.race([
    (async () => {
      await sql`select 1`.execute(db);
      return pendingMigrations(db);
    })().catch(() => 'error' as const),
    sleep(STORE_ANSWER_MS).then(() => 'timeout' as const),
  ]);
  if (answered === 'error') return 'store unavailable';
  if (answered === 'timeout') return `store did not answer within ${STORE_ANSWER_MS} ms`;
  if (answered.length > 0) return `migrations pending: ${answered.join(', ')}`;
  if (!changeFeedOf(db).connected) return 'change feed disconnected';
  return null;
}
