import { type AccessQuestion, type Answer, decideAndRecord } from '../../access/access.service.ts';
import type { FactSource } from '../../access/facts.ts';
import { type PresentedFields, readPresented } from '../../access/presented.ts';
import { isStorableId } from '../../db/conventions.ts';
import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { DevicePrincipal } from './devices.service.ts';

/**
 * Decides whether what was presented opens the door, and records the decision. Any door of the device's
 * site is decided, attached to this device or not: the decision is about the credential and the door, and
 * a door of another site (or none) is answered `unknown_door` like any other denial.
 */
export async function decideAtDoor(
  db: Queryable,
  source: FactSource,
  device: DevicePrincipal,
  input: PresentedFields & { doorId: number | undefined },
  now: number,
): Promise<Answer & { eventId: number | null }> {
  const presented = readPresented(input);
  const doorId = input.doorId;
  if (doorId === undefined) throw ERRORS.badRequest('Missing or blank door_id');
  if (!isStorableId(doorId)) throw ERRORS.badRequest(`Invalid door_id found: ${doorId}`);
  const question: AccessQuestion = { site: device.site, doorId, presented, at: now, deviceId: device.id };
  return decideAndRecord(db, source, question, { id: device.id, name: device.name }, now);
}
