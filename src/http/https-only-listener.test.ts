import { createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { httpsOnlyListener } from './https-only-listener.ts';

describe('httpsOnlyListener', () => {
  // node:https turns Nagle's algorithm off on the sockets it accepts; this listener accepts them instead,
  // so it must do the same, or a response written in parts (a streamed list) waits on delayed ACKs.
  it('accepts sockets with Nagle’s algorithm off, as node:https would', () => {
    const listener = httpsOnlyListener(createServer());
    expect((listener as unknown as { noDelay: boolean }).noDelay).toBe(true);
  });
});
