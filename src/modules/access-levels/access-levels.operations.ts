import { toBool, toId } from '../../domain/batch-checks.ts';
import { type BatchRecord, batchOperation } from '../../domain/batch.ts';
import { deleteById } from '../../http/lockt/routes.ts';
import { AccessLevelCreate, AccessLevelDelete, AccessLevelUpdate } from './access-levels.schema.ts';
import {
  type AccessLevelChange,
  type DoorAssignment,
  type NewAccessLevel,
  checkAccessLevelChanges,
  checkAccessLevelDeletions,
  checkNewAccessLevels,
  deleteAccessLevels,
  insertAccessLevels,
  updateAccessLevels,
} from './access-levels.service.ts';

/** The access-level writes, shared by the Lockt routes (POST, PUT and DELETE /accesslevel) and the operator console. */

/** The doors of a record, as the domain reads them. */
function toDoorAssignments(doors: BatchRecord<typeof AccessLevelUpdate>['doors']): DoorAssignment[] | undefined {
  return doors?.flatMap((door) => {
    const doorId = toId(door.id);
    const scheduleId = toId(door.schedule_id);
    return doorId === undefined || scheduleId === undefined ? [] : [{ doorId, scheduleId }];
  });
}

export const createAccessLevels = batchOperation({
  node: 'accesslevels',
  record: AccessLevelCreate,
  parse: (record): NewAccessLevel => ({
    name: record.name,
    doors: toDoorAssignments(record.doors) ?? [],
    firstPersonIn: toBool(record.first_person_in),
  }),
  check: checkNewAccessLevels,
  write: insertAccessLevels,
});

export const changeAccessLevels = batchOperation({
  node: 'accesslevels',
  record: AccessLevelUpdate,
  options: ['validate_fails_batch', 'replace_doors'],
  parse: (record): AccessLevelChange => ({
    id: toId(record.id),
    name: record.name,
    doors: toDoorAssignments(record.doors),
    firstPersonIn: toBool(record.first_person_in),
  }),
  check: checkAccessLevelChanges,
  write: updateAccessLevels,
});

export const removeAccessLevels = deleteById('accesslevels', AccessLevelDelete, checkAccessLevelDeletions, deleteAccessLevels);
