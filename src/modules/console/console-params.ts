import { Type } from 'typebox';
import { isStorableId } from '../../db/conventions.ts';
import { ERRORS } from '../../domain/errors.ts';
import { IdInput } from '../../http/schemas.ts';

/** The id in a console route's path. */
export const IdParams = Type.Object({ id: IdInput('id', 'The id.') }, { required: ['id'] });

/** An id from a URL: one no row can have names nothing, and reaches no query (PostgreSQL refuses it). */
export function idOf(value: number | string, what: string): number {
  const id = Number(value);
  if (!isStorableId(id)) throw ERRORS.notFound(`No ${what} with id ${String(value).trim()}.`);
  return id;
}

export const optionalId = (value: number | string | undefined, what: string) => (value === undefined ? undefined : idOf(value, what));
