/** How often a long-lived response (an event stream, a long poll) checks that its caller still holds. */
export const AUTHORITY_CHECK_MS = 500;

/**
 * Aborts `end` as soon as `stillAuthorized` says no (a revoked or disabled key, a revoked device, a
 * removed site) or cannot say (the store is unreachable: authority that cannot be proved is not assumed),
 * checking every AUTHORITY_CHECK_MS, so such a response ends within a second of its authority. Returns
 * a function that stops checking.
 */
export function endWhenRevoked(stillAuthorized: () => Promise<boolean>, end: AbortController): () => void {
  let checking = false;
  const timer = setInterval(() => {
    if (checking || end.signal.aborted) return;
    checking = true;
    stillAuthorized()
      .then(
        (holds) => {
          if (!holds) end.abort('revoked');
        },
        () => end.abort('unverifiable'),
      )
      .finally(() => {
        checking = false;
      });
  }, AUTHORITY_CHECK_MS);
  return () => clearInterval(timer);
}
