// The webhook sending thread's entry (webhook-sender.ts): a worker thread does not inherit the TypeScript
// loader its parent registered, so it registers tsx's, as bin/portcullis.js does, before the thread's code.
import { register } from 'tsx/esm/api';

register();
await import('./webhook-sender-thread.ts');
