import type { OperatorRole } from '../operator-sessions/operator-sessions.service.ts';

/**
 * What a console route needs of its operator. The roles are the (docs/console.md): an admin
 * changes everything; a manager manages people, credentials and access and reads everything; an
 * installer manages doors (creates, renames, places and removes them) and devices and reads events. Only
 * an admin opens the BAS-IP face's emergency opening or calls one off (as that face allows only its
 * administrators to), and only an admin creates a device (its key)
 * and attaches doors to it, changes the site's settings, or manages its API keys. Managers, who already
 * unlock doors remotely, override a door's mode and start and clear lockdown plans: the issue has a plan
 * "started and cleared by an operator", and in an emergency the operator on duty must not wait for an
 * admin; what a plan covers and who responds (creating and deleting plans) stays with admins. The console offers only what the role holds,
 * and the server refuses the rest (403) whatever the page offered.
 */
/** What a manager holds: reading everything, people, access and the doors' day-to-day operation. */
const MANAGER_CAPABILITIES = [
  'events.read',
  'people.read',
  'people.write',
  'access.explain',
  'audit.read',
  'access.manage',
  'doors.unlock',
  'doors.override',
  'lockdown.operate',
] as const;

/** Every capability: the manager's and those only admins (and, for doors and devices, installers) hold. */
export const CAPABILITIES = [
  ...MANAGER_CAPABILITIES,
  'doors.emergency',
  'doors.manage',
  'lockdown.manage',
  'devices.manage',
  'devices.create',
  'site.manage',
  'keys.manage',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const ROLE_CAPABILITIES: Record<OperatorRole, readonly Capability[]> = {
  admin: CAPABILITIES,
  manager: MANAGER_CAPABILITIES,
  installer: ['events.read', 'doors.manage', 'devices.manage'],
};

export function capabilitiesOf(role: OperatorRole): readonly Capability[] {
  return ROLE_CAPABILITIES[role];
}

export function may(role: OperatorRole, capability: Capability): boolean {
  return ROLE_CAPABILITIES[role].includes(capability);
}
