import type { LocktModule } from './module.ts';
import { systemModule } from './system/system.routes.ts';

/** Every Lockt resource module, in the order their routes are registered. */
export const LOCKT_MODULES: readonly LocktModule[] = [systemModule];
