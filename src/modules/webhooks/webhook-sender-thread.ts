import { parentPort, workerData } from 'node:worker_threads';
import { type FromThread, RunSender, type SendSettings, type ToThread } from './webhook-sender.ts';

/** The sending thread: runs what the worker asks and answers each run's attempts. */
const sender = new RunSender(workerData as SendSettings);
const port = parentPort;
port?.on('message', (message: ToThread) => {
  if (message.kind === 'stop') sender.stop();
  else if (message.kind === 'cut') sender.cut();
  else void sender.send(message.request).then((outcome) => port.postMessage({ run: message.run, outcome } satisfies FromThread));
});
