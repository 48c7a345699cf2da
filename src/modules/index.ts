import type { LocktModule } from './module.ts';
import { locationTypesModule } from './location-types/location-types.routes.ts';
import { systemModule } from './system/system.routes.ts';

/** Every Lockt resource module, in the order their routes are registered. */
export const LOCKT_MODULES: readonly LocktModule[] = [
  systemModule,
  locationTypesModule,
];
