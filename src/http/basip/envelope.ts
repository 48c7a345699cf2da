import type { PortcullisError } from '../../domain/errors.ts';

/**
 * BAS-IP's error body is `{"error": "…"}` with the panel's own texts: every authentication failure reads
 * "Log In" and an unreadable body "Wrong JSON body"; other failures carry their message.
 */
export function renderBasipError(error: PortcullisError): { error: string } {
  switch (error.code) {
    case 'unauthorized':
      return { error: 'Log In' };
    case 'unparseable_body':
      return { error: 'Wrong JSON body' };
    default:
      return { error: error.message };
  }
}
