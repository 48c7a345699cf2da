import { formatSiteTime } from '../../lib/site-time.ts';
import type { MaintenanceWindow } from './maintenance.service.ts';

/** A window as `/maintenance` shows it; times in the site's zone, as the spec writes zone-less times. */
export function presentMaintenanceWindow(window: MaintenanceWindow, zone: string) {
  return {
    id: window.id,
    title: window.title,
    notice: window.notice,
    notification_only: window.notificationOnly,
    start_date: formatSiteTime(window.startAt, zone),
    end_date: formatSiteTime(window.endAt, zone),
  };
}
