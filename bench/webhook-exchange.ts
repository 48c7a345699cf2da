import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { RunSender } from '../src/modules/webhooks/webhook-sender.ts';

/**
 * `npx tsx bench/webhook-exchange.ts [deliveries] [sender|http|socket]`: the CPU one webhook delivery
 * costs each end, one POST after another to bench/webhook-receiver.ts in a process of its own, as the
 * webhooks phase sends them. `sender`: the sending thread's code (RunSender: signing, the target's
 * checks, timeouts); `http`: a bare keep-alive http.request with the same body; `socket`: the request
 * written on a kept TCP socket, the answer's first bytes awaited (no HTTP client at all), a floor.
 * Prints µs of CPU per delivery for this process (all its threads) and for the receiver.
 */
const count = Number(process.argv[2] ?? 4000);
const mode = process.argv[3] ?? 'sender';

const receiver = spawn(process.execPath, ['--import', 'tsx', './bench/webhook-receiver.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) =>
  receiver.stdout.on('data', (data: Buffer) => {
    const match = /listening (\d+)/.exec(data.toString());
    if (match) resolve(Number(match[1]));
  }),
);
const url = `http://127.0.0.1:${port}/hook`;
const body = JSON.stringify({
  type: 'event.48',
  site: { id: 1, name: 'HQ' },
  data: {
    id: 4295032832,
    device: 'Lobby Panel',
    code: 48,
    code_text: 'Access Granted',
    subcode: 100,
    subcode_text: 'Granted',
    schedule: 'Always',
    controller: '',
    location: '',
    door: 'Front',
    card_num: '12345',
    user: 'Ann Lee',
    category: 1,
    category_text: 'Door Access Granted',
    detail: '',
    hw_time: '2026-12-04T10:00:00.000Z',
    event_time: '2026-12-04T10:00:00.000Z',
    db_time: new Date().toISOString(),
  },
});

/** CPU time of a process so far, ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function viaSender(n: number): Promise<void> {
  const sender = new RunSender({ policy: { allowHttp: true, allowPrivate: true }, timeoutMs: 10_000 });
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  for (let left = n; left > 0; ) {
    const deliveries = Array.from({ length: Math.min(200, left) }, (_, i) => ({ id: i + 1, nextAt: 0, body }));
    const { sent } = await sender.send({ url, secrets: [secret], deliveries, leaseUntil: Date.now() + 60_000 });
    left -= sent.length;
  }
  sender.cut();
}

async function viaHttp(n: number): Promise<void> {
  const agent = new Agent({ keepAlive: true });
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve) => {
      request(url, { method: 'POST', agent, headers }, (response) => response.resume().on('end', resolve)).end(body);
    });
  }
  agent.destroy();
}

async function viaSocket(n: number): Promise<void> {
  const socket = connect(port, '127.0.0.1').setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const head = `POST /hook HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => {
      socket.once('data', resolve);
      socket.write(head + body);
    });
  }
  socket.destroy();
}

const send = { sender: viaSender, http: viaHttp, socket: viaSocket }[mode];
if (!send) throw new Error('mode: sender, http or socket');
await send(300);
const [mine, theirs, started] = [process.cpuUsage(), cpuMs(receiver.pid as number), performance.now()];
await send(count);
const used = process.cpuUsage(mine);
const perDelivery = (ms: number) => ((ms * 1000) / count).toFixed(0);
console.log(
  `${mode}: ${count} deliveries in ${(performance.now() - started).toFixed(0)} ms; CPU per delivery: sender ${perDelivery((used.user + used.system) / 1000)} µs, receiver ${perDelivery(cpuMs(receiver.pid as number) - theirs)} µs`,
);
receiver.kill();
