import type { Command } from 'commander';
import { systemClock } from '../lib/clock.ts';
import { presentDevice } from '../modules/devices/devices.presenter.ts';
import { attachDoor, createDevice, detachDoor, listDevices, revokeDevice } from '../modules/devices/devices.service.ts';
import { getSite } from '../modules/sites/sites.service.ts';
import { type StoreFlags, UsageError, print, siteCommand, wholeNumber, withStore, withStoreFlags } from './common.ts';

/** A comma-separated list of ids, such as `--doors 1,2`. */
function idList(label: string) {
  const id = wholeNumber(label);
  return (value: string): number[] => {
    const parts = value.split(',').map((part) => part.trim());
    if (parts.some((part) => part === '')) throw new UsageError(`${label} must be comma-separated ids, got '${value}'`);
    return parts.map(id);
  };
}

const line = (d: ReturnType<typeof presentDevice>) =>
  `${d.id}\t${d.name}\t${d.revoked ? 'revoked' : 'active'}\tlast seen ${d.last_seen_at ?? 'never'}\t` +
  (d.doors.length === 0 ? 'no doors' : d.doors.map((door) => `lock ${door.lock_number}: door ${door.door_id} ${door.name}`).join(', '));

/** `portcullis device create|list|revoke|attach|detach`. The device key is printed once, at creation, and never again. */
export function registerDeviceCommands(program: Command): void {
  const device = program.command('device').description('manage door devices (controllers, panels), their keys and their doors');

  siteCommand(device, 'create', 'create a device of a site and issue its key')
    .requiredOption('--name <name>', 'device name, unique within the site')
    .option('--doors <ids>', 'comma-separated ids of the doors it drives, on locks 1, 2, … in that order', idList('--doors'))
    .action(async (flags: StoreFlags & { site: number; name: string; doors?: number[] }) => {
      const issued = await withStore(flags, async (store) => {
        const site = await getSite(store.db, flags.site);
        return createDevice(store.db, site, { name: flags.name, doorIds: flags.doors ?? [] }, systemClock);
      });
      print(
        flags,
        { device: issued.device, device_key: issued.deviceKey },
        `Created device ${issued.device.id} "${issued.device.name}".\ndevice_key: ${issued.deviceKey}\n` +
          'The device_key is shown only now; Portcullis keeps only its hash.',
      );
    });

  siteCommand(device, 'list', "list a site's devices and their doors (never their keys)").action(async (flags: StoreFlags & { site: number }) => {
    const devices = await withStore(flags, async (store) => {
      await getSite(store.db, flags.site);
      return listDevices(store.db, flags.site);
    });
    const shown = devices.map(presentDevice);
    print(flags, shown, shown.length === 0 ? 'No devices.' : shown.map(line).join('\n'));
  });

  withStoreFlags(device.command('revoke'))
    .description("revoke a device's key for good")
    .requiredOption('--device <id>', 'device id', wholeNumber('--device'))
    .action(async (flags: StoreFlags & { device: number }) => {
      const revoked = await withStore(flags, (store) => revokeDevice(store.db, flags.device, systemClock));
      print(flags, presentDevice(revoked), `Revoked device ${revoked.id} "${revoked.name}".`);
    });

  withStoreFlags(device.command('attach'))
    .description('let a device drive a door of its site, under a lock number')
    .requiredOption('--device <id>', 'device id', wholeNumber('--device'))
    .requiredOption('--door <id>', 'door id', wholeNumber('--door'))
    .option('--lock <n>', 'lock number on the device (default: the lowest free, from 1)', wholeNumber('--lock'))
    .action(async (flags: StoreFlags & { device: number; door: number; lock?: number }) => {
      const attached = await withStore(flags, (store) => attachDoor(store.db, flags.device, flags.door, flags.lock));
      print(flags, attached, `Device ${attached.device_id} drives door ${attached.door_id} on lock ${attached.lock_number}.`);
    });

  withStoreFlags(device.command('detach'))
    .description('stop a device driving a door')
    .requiredOption('--device <id>', 'device id', wholeNumber('--device'))
    .requiredOption('--door <id>', 'door id', wholeNumber('--door'))
    .action(async (flags: StoreFlags & { device: number; door: number }) => {
      const detached = await withStore(flags, (store) => detachDoor(store.db, flags.device, flags.door));
      print(flags, detached, `Device ${detached.device_id} no longer drives door ${detached.door_id}.`);
    });
}
