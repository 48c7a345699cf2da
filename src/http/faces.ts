/**
 * The two wire faces Portcullis serves over one domain. Each renders errors and validation messages in
 * its vendor's format; which face a URL belongs to is decided here and nowhere else.
 */
export type Face = 'lockt' | 'basip';

/**
 * BAS-IP panel paths: `/api/info`, and under `/api/v1/` every section of the panel API (login, logout,
 * access, apartment, log, the panel's device settings, network, syslog, call forwarding, system,
 * security, web, photo, sip) and Portcullis's panel remote-access route. A path the panel API defines
 * must answer `{"error"}` even when no route serves it, since a panel client reads that envelope.
 */
const BASIP_PATH =
  /^\/api\/(?:info(?:[/?#]|$)|v1\/(?:login|logout|access\/|apartment|log\/|panel\/|device\/|network\/|syslog\/|forward\/|system\/|security\/|web\/|photo\/|sip\/))/;

/** Portcullis's own device API lives under `/api/v1/device/` too, and speaks Lockt's envelope. */
const PORTCULLIS_DEVICE_PATH = /^\/api\/v1\/device\/(?:access|events|state|commands(?:\/ack)?)(?:[?#]|$)/;

export function faceOf(url: string): Face {
  return BASIP_PATH.test(url) && !PORTCULLIS_DEVICE_PATH.test(url) ? 'basip' : 'lockt';
}
