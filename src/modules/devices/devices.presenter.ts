import type { Answer } from '../../access/access.service.ts';
import { formatIsoUtc } from '../../lib/site-time.ts';
import type { PendingCommandRow } from './devices.repository.ts';
import type { DeviceInfo } from './devices.service.ts';

/** A decision as the device reads it: whether to open, the codes the event log shows, and that event. */
export function presentAnswer(answer: Answer & { eventId: number | null }) {
  return {
    granted: answer.decision.granted,
    code: answer.code,
    code_text: answer.codeText,
    subcode: answer.subcode,
    subcode_text: answer.subcodeText,
    event_id: answer.eventId,
  };
}

/** A command as the device collects it: which of its locks to open, or which mode its door is in now and until when. */
export function presentCommand(row: PendingCommandRow, unlockSeconds: ReadonlyMap<number, number>) {
  const seconds = unlockSeconds.get(row.lock_number);
  return {
    id: row.id,
    command: row.command,
    door_id: row.door_id,
    lock_number: row.lock_number,
    requested_at: formatIsoUtc(row.requested_at),
    ...(row.mode === null ? {} : { mode: row.mode, valid_until: row.valid_until === null ? null : formatIsoUtc(row.valid_until) }),
    ...(seconds === undefined || row.mode !== null ? {} : { unlock_seconds: seconds }),
  };
}

/** A device as `portcullis device list --json` prints it: never its key. */
export function presentDevice(device: DeviceInfo) {
  return {
    id: device.id,
    name: device.name,
    site_id: device.site_id,
    revoked: device.revoked,
    last_seen_at: device.last_seen_at === null ? null : formatIsoUtc(device.last_seen_at),
    doors: device.doors,
  };
}
