import type { Queryable } from '../../db/queryable.ts';
import { ERRORS } from '../../domain/errors.ts';
import type { Site } from '../../domain/site.ts';
import type { Clock } from '../../lib/clock.ts';
import { ONLINE_WITHIN_MS } from '../../metrics/prometheus.ts';
import { type DeviceInfo, type IssuedDevice, attachDoor, createDevice, detachDoor, listDevices, revokeDevice } from '../devices/devices.service.ts';
import { DEVICE_KEY_PLACEHOLDER, panelSettings } from '../panels/panels.service.ts';

export type ConsoleDevice = Omit<DeviceInfo, 'site_id'> & { online: boolean };

/** The site's devices, not revoked, each online when seen within the window `/metrics` counts. */
export async function siteDevices(db: Queryable, site: Site, clock: Clock): Promise<ConsoleDevice[]> {
  const now = clock.now();
  const devices = await listDevices(db, site.id);
  return devices
    .filter((d) => !d.revoked)
    .map(({ site_id: _site, ...device }) => ({ ...device, online: device.last_seen_at !== null && device.last_seen_at >= now - ONLINE_WITHIN_MS }));
}

/** The URL a BAS-IP panel is given, `{device_key}` in it: the site's saved one, or this server's own. */
export async function panelUrlTemplate(db: Queryable, site: Site, derivedUrl: string): Promise<string> {
  return (await panelSettings(db, site.id)).customServerApiUrl ?? derivedUrl;
}

/** A device of the site; one of another site, or none, is not found (the devices module looks by id alone). */
async function requireSiteDevice(db: Queryable, site: Site, deviceId: number): Promise<void> {
  const devices = await listDevices(db, site.id);
  if (!devices.some((d) => d.id === deviceId)) throw ERRORS.notFound(`No device with id ${deviceId}.`);
}

/** A new device driving these doors (locks 1, 2, … in order), its key shown once, and the panel URL with it. */
export async function issueDevice(
  db: Queryable,
  site: Site,
  input: { name: string; doorIds: number[] },
  urlTemplate: string,
  clock: Clock,
): Promise<IssuedDevice & { panelUrl: string }> {
  const issued = await createDevice(db, site, input, clock);
  return { ...issued, panelUrl: urlTemplate.replace(DEVICE_KEY_PLACEHOLDER, issued.deviceKey) };
}

export async function revokeSiteDevice(db: Queryable, site: Site, deviceId: number, clock: Clock): Promise<void> {
  await requireSiteDevice(db, site, deviceId);
  await revokeDevice(db, deviceId, clock);
}

export async function attachSiteDoor(db: Queryable, site: Site, deviceId: number, doorId: number, lock: number | undefined) {
  await requireSiteDevice(db, site, deviceId);
  return attachDoor(db, deviceId, doorId, lock);
}

export async function detachSiteDoor(db: Queryable, site: Site, deviceId: number, doorId: number) {
  await requireSiteDevice(db, site, deviceId);
  return detachDoor(db, deviceId, doorId);
}
