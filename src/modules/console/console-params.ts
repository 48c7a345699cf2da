import { Type } from 'typebox';
import { isStorableId } from '../../db/conventions.ts';
import type { SiteCall } from '../../domain/batch.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { BatchCaller } from '../../http/batch.ts';
import { IdInput } from '../../http/schemas.ts';
import type { Clock } from '../../lib/clock.ts';
import type { OperatorPrincipal } from '../operator-sessions/operator-sessions.service.ts';

/** The id in a console route's path. */
export const IdParams = Type.Object({ id: IdInput('id', 'The id.') }, { required: ['id'] });

/** An id from a URL: one no row can have names nothing, and reaches no query (PostgreSQL refuses it). */
export function idOf(value: number | string, what: string): number {
  const id = Number(value);
  if (!isStorableId(id)) throw ERRORS.notFound(`No ${what} with id ${String(value).trim()}.`);
  return id;
}

export const optionalId = (value: number | string | undefined, what: string) => (value === undefined ? undefined : idOf(value, what));

/** A console write run through a face's batch operation: one record at a time, recorded as the operator's. */
export function batchCallerOf(operator: OperatorPrincipal, clock: Clock): { caller: BatchCaller; call: SiteCall } {
  return { caller: { maxBatchSize: 1, site: operator.site, actor: operator.actor }, call: { site: operator.site, clock } };
}
