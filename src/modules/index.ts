import type { ResourceModule } from './module.ts';
import { accessModule } from './access/access.routes.ts';
import { auditModule } from './audit/audit.routes.ts';
import { privacyModule } from './privacy/privacy.routes.ts';
import { operatorSessionsModule } from './operator-sessions/operator-sessions.basip.routes.ts';
import { accessLevelsModule } from './access-levels/access-levels.routes.ts';
import { delegatesModule } from './delegates/delegates.routes.ts';
import { doorStatesModule } from './door-states/door-states.routes.ts';
import { doorsModule } from './doors/doors.routes.ts';
import { eventsModule } from './events/events.routes.ts';
import { locationTypesModule } from './location-types/location-types.routes.ts';
import { locationsModule } from './locations/locations.routes.ts';
import { schedulesModule } from './schedules/schedules.routes.ts';
import { systemModule } from './system/system.routes.ts';
import { usersModule } from './users/users.routes.ts';
import { credentialsModule } from './credentials/credentials.routes.ts';
import { fobsModule } from './fobs/fobs.routes.ts';
import { devicesModule } from './devices/devices.routes.ts';
import { panelsModule } from './panels/panels.basip.routes.ts';
import { panelDeviceSettingsModule } from './panels/device-settings.basip.routes.ts';
import { timeProfilesModule } from './time-profiles/time-profiles.basip.routes.ts';
import { apartmentsModule } from './apartments/apartments.basip.routes.ts';
import { eventsBasipModule } from './events/events.basip.routes.ts';
import { identifiersBasipModule } from './credentials/identifiers.basip.routes.ts';
import { usersBasipModule } from './users/users.basip.routes.ts';
import { webhooksModule } from './webhooks/webhooks.routes.ts';
import { consoleModule } from './console/console.routes.ts';
import { holidaysModule } from './holidays/holidays.routes.ts';
import { doorSchedulesModule } from './door-schedules/door-schedules.routes.ts';
import { doorOverridesModule } from './door-overrides/door-overrides.routes.ts';
import { lockdownsModule } from './lockdowns/lockdowns.routes.ts';

/** A module whose routes all speak the Lockt face. */
const lockt = (module: ResourceModule): ResourceModule => ({ ...module, face: 'lockt' });
/** A module whose routes all speak the BAS-IP face. */
const basip = (module: ResourceModule): ResourceModule => ({ ...module, face: 'basip' });

/** Every resource module of both faces, each with the face it speaks, in the order their routes are registered. */
export const RESOURCE_MODULES: readonly ResourceModule[] = [
  lockt(systemModule),
  lockt(locationTypesModule),
  lockt(locationsModule),
  lockt(doorsModule),
  lockt(doorStatesModule),
  lockt(schedulesModule),
  lockt(holidaysModule),
  lockt(doorSchedulesModule),
  lockt(doorOverridesModule),
  lockt(lockdownsModule),
  lockt(accessLevelsModule),
  lockt(delegatesModule),
  lockt(usersModule),
  lockt(credentialsModule),
  lockt(fobsModule),
  lockt(eventsModule),
  lockt(accessModule),
  lockt(auditModule),
  lockt(privacyModule),
  basip(operatorSessionsModule),
  lockt(devicesModule),
  basip(panelsModule),
  basip(panelDeviceSettingsModule),
  basip(timeProfilesModule),
  basip(apartmentsModule),
  basip(eventsBasipModule),
  basip(identifiersBasipModule),
  basip(usersBasipModule),
  lockt(webhooksModule),
  lockt(consoleModule),
];
