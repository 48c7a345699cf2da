/**
 * The two wire faces Portcullis serves over one domain. Each renders errors and validation messages in
 * its vendor's format; which face a URL belongs to is decided here and nowhere else.
 */
export type Face = 'lockt' | 'basip';

/** BAS-IP panel paths (the notes' `/api/info`, `/api/v1/login`, `/logout`, `/access/…`, `/apartment…`, `/log/…`). */
const BASIP_PATH = /^\/api\/(?:info(?:[/?#]|$)|v1\/(?:login|logout|access\/|apartment|log\/|panel\/))/;

export function faceOf(url: string): Face {
  return BASIP_PATH.test(url) ? 'basip' : 'lockt';
}
