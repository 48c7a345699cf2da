import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSigningSecret } from './webhook-secrets.ts';
import { DeliverySigner } from './webhook-sender.ts';

/**
 * Deliveries are signed with node:crypto, not the `standardwebhooks` package (webhook-sender.ts says why):
 * every signature must still be one the package's own verification accepts, for any body, id and time,
 * with one secret or the two of a rotation's overlap.
 */
describe('delivery signatures', () => {
  const headersOf = (signer: DeliverySigner, id: string, seconds: number, body: string) => ({
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': signer.sign(id, seconds, body),
  });
  // Bodies as the worker builds them (JSON of any text, non-ASCII included) and ids as it names them.
  const bodies = fc.jsonValue().map((value) => JSON.stringify({ type: 'event.48', data: value }));
  const ids = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((id) => `msg_${id}`);
  // Within the five minutes' tolerance of Webhook.verify.
  const times = fc.integer({ min: -240, max: 240 }).map((offset) => Math.floor(Date.now() / 1000) + offset);

  it('are what the standardwebhooks package signs and verifies, with one secret', () => {
    const secret = newSigningSecret();
    const signer = new DeliverySigner([secret]);
    const webhook = new Webhook(secret);
    fc.assert(
      fc.property(bodies, ids, times, (body, id, seconds) => {
        const headers = headersOf(signer, id, seconds, body);
        expect(headers['webhook-signature']).toBe(webhook.sign(id, new Date(seconds * 1000), body));
        expect(webhook.verify(body, headers)).toEqual(JSON.parse(body));
      }),
      { numRuns: 300 },
    );
  });

  it('verify under either secret of a rotation, and under no other', () => {
    const [current, previous, other] = [newSigningSecret(), newSigningSecret(), newSigningSecret()];
    const signer = new DeliverySigner([current, previous]);
    fc.assert(
      fc.property(bodies, ids, times, (body, id, seconds) => {
        const headers = headersOf(signer, id, seconds, body);
        expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
        expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
        expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
        expect(() => new Webhook(other).verify(body, headers)).toThrow('No matching signature found');
        expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow('No matching signature found');
      }),
      { numRuns: 200 },
    );
  });
});
