import type { Actor } from '../audit/audit-log.ts';

/** Per-site rules that validation and the engine read. */
export interface SiteSettings {
  cardNumMaxLength: number;
  pinMinLength: number;
  pinMaxLength: number;
  /** When true, two users may not share a PIN. */
  uniquePins: boolean;
  /** Most events `GET /events` returns in one answer. */
  eventsLimit: number;
}

/** One customer instance: every other row belongs to exactly one site. */
export interface Site {
  id: number;
  name: string;
  /** IANA zone in which zone-less wire times are read and written. */
  timezone: string;
  settings: SiteSettings;
}

/** What one write into a site's rules carries: whose site, who writes it (for the audit) and when. */
export interface ActorCall {
  site: Site;
  actor: Actor;
  now: number;
}
