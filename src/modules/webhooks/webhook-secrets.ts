import { errorFields } from '../../db/error-fields.ts';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Signing secrets must be readable by Portcullis (HMAC needs the secret itself, so a hash cannot sign),
 * yet a database dump alone must not let anyone forge a delivery. So they are stored encrypted
 * (AES-256-GCM) under a key that never enters the store: the configured one (`PORTCULLIS_WEBHOOK_KEY`,
 * checked with the other settings in src/config.ts), else `<data dir>/webhook.key`, made on first use with
 * mode 0600. Several processes on one PostgreSQL store must be given the same key (docs/webhooks.md).
 */
export type WebhookKey = Buffer;

const KEY_BYTES = 32;
const KEY_FILE = 'webhook.key';

/** The configured key (base64), else the data directory's key file, made if missing. */
export function loadWebhookKey(dataDir: string, configured: string | undefined): WebhookKey {
  if (configured !== undefined) return keyFrom(configured, 'PORTCULLIS_WEBHOOK_KEY');
  const file = join(dataDir, KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    // 'wx': two processes starting together cannot both write one; the loser reads the winner's.
    try {
      writeFileSync(file, randomBytes(KEY_BYTES).toString('base64'), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if (errorFields(error).code !== 'EEXIST') throw error;
    }
    chmodSync(file, 0o600);
  }
  return keyFrom(readFileSync(file, 'utf8').trim(), file);
}

function keyFrom(base64: string, source: string): WebhookKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${source} must hold ${KEY_BYTES} bytes in base64`);
  return key;
}

/** A new signing secret as Standard Webhooks spells them: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64 each. */
export function sealSecret(key: WebhookKey, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join('.');
}

export function openSecret(key: WebhookKey, stored: string): string {
  const [version, iv, tag, sealed] = stored.split('.');
  if (version !== 'v1' || iv === undefined || tag === undefined || sealed === undefined) throw new Error('Unreadable webhook secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
}
