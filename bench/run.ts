// `npm run bench`: measures the hall server as a separate process on loopback and prints figures.
//   1. ticket:issue acknowledgement latency at a steady rate over Socket.IO (synchronous=FULL)
//   2. hall:called fan-out latency to many connected display clients
//   3. server RSS and CPU
//   4. kiosk tap → ticket shown in Chromium (when the screens are built)
// Latency = time from the client's emit to the ack (1) or to each display's receipt (2), both
// measured by the bench process with performance.now(); percentiles are nearest-rank.
import { rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type Ack } from '../shared/protocol.ts';
import { startHallProcess, type HallProcess, PROJECT_ROOT } from '../test/helpers/process.ts';
import { tempDataDir } from '../test/helpers/hall.ts';
import { percentile, processStats } from '../test/helpers/load-clients.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    displays: { type: 'string', default: '200' },
    calls: { type: 'string', default: '100' },
    'skip-browser': { type: 'boolean', default: false },
  },
});

function summary(samples: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? Number.NaN };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

function connect(url: string, nsp: string, token: string): Promise<Socket> {
  const socket = io(url + nsp, { auth: { token, protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('hall:snapshot', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function emitAck<T>(socket: Socket, event: string, payload?: unknown): Promise<Ack<T>> {
  return new Promise((resolve) => (payload === undefined ? socket.emit(event, resolve) : socket.emit(event, payload, resolve)));
}

async function benchIssue(server: HallProcess, rate: number, seconds: number) {
  const kiosks = await Promise.all([connect(server.url, '/kiosk', 'demo-kiosk-1'), connect(server.url, '/kiosk', 'demo-kiosk-2')]);
  const services = ['id-card', 'social-insurance', 'passport', 'consult', 'tax', 'pension', 'medical-insurance', 'company', 'pickup'];
  const total = rate * seconds;
  const intervalMs = 1000 / rate;
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    // open loop: send on schedule whether or not earlier answers have come back
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      emitAck(kiosks[i % 2]!, 'ticket:issue', { serviceId: services[i % services.length], idempotencyKey: `bench-${process.pid}-${i}` }).then((ack) => {
        latencies.push(performance.now() - t0);
        if (!ack.ok) failures++;
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  for (const k of kiosks) k.close();
  return { ...summary(latencies), failures, achievedRate: total / elapsed };
}

async function benchFanOut(server: HallProcess, displays: number, calls: number) {
  const clients: Socket[] = [];
  for (let i = 0; i < displays; i += 20) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(20, displays - i) }, () => connect(server.url, '/display', 'demo-display-1')))));
  }
  const counter = await connect(server.url, '/counter', 'demo-counter-7');
  const signIn = await emitAck(counter, 'staff:sign-in', { login: 'clerk7', password: 'demo1234' });
  if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.error.code}`);
  const latencies: number[] = [];
  let sentAt = 0;
  let expected = 0;
  let received = 0;
  let done: () => void = () => {};
  for (const c of clients) {
    c.on('hall:called', () => {
      latencies.push(performance.now() - sentAt);
      received++;
      if (received === expected) done();
    });
  }
  let lost = 0;
  for (let i = 0; i < calls; i++) {
    const iterationStart = performance.now();
    const all = new Promise<void>((resolve) => (done = resolve));
    expected = received + displays;
    sentAt = performance.now();
    const ack = await emitAck(counter, 'counter:call-next');
    if (!ack.ok) throw new Error(`call-next failed: ${ack.error.code}`);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000));
    if ((await Promise.race([all, timeout])) === 'timeout') {
      lost += expected - received;
      received = expected;
    }
    await emitAck(counter, 'counter:no-show');
    // two commands per call: at least 80 ms apart keeps the terminal under its 30 commands/s
    // (docs/operations.md), which a fast fan-out would otherwise exceed after the burst
    await new Promise((r) => setTimeout(r, Math.max(20, 80 - (performance.now() - iterationStart))));
  }
  for (const c of clients) c.close();
  counter.close();
  return { ...summary(latencies), lost };
}

async function main(): Promise<void> {
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const displays = Number(args.displays);
  const calls = Number(args.calls);
  const dataDir = tempDataDir();
  // every simulated display shares the demo display token: let it hold them all
  const server = await startHallProcess(dataDir, { HALL_MAX_CONNECTIONS_PER_DEVICE: String(displays + 50) });
  const pid = server.child.pid!;
  const out = (line: string) => process.stdout.write(line + '\n');
  try {
    out(`hall bench — node ${process.version}, ${(await import('node:os')).cpus().length} cores, data in ${dataDir} (synchronous=FULL)`);
    const cpu0 = processStats(pid).cpuSeconds;
    const t0 = performance.now();
    const issue = await benchIssue(server, rate, seconds);
    out(
      `ticket:issue ack   n=${issue.n} at ${issue.achievedRate.toFixed(1)}/s (target ${rate}/s): p50 ${fmt(issue.p50)}  p99 ${fmt(issue.p99)}  max ${fmt(issue.max)}  refusals ${issue.failures}   [target p99 ≤ 10 ms]`,
    );
    const issueCpu = (processStats(pid).cpuSeconds - cpu0) / ((performance.now() - t0) / 1000);
    out(`server CPU during issuing: ${(issueCpu * 100).toFixed(1)}% of one core`);

    const fan = await benchFanOut(server, displays, calls);
    out(
      `hall:called fan-out to ${displays} displays, ${calls} calls, n=${fan.n}: p50 ${fmt(fan.p50)}  p99 ${fmt(fan.p99)}  max ${fmt(fan.max)}  lost ${fan.lost}   [target p99 ≤ 50 ms]`,
    );
    const stats = processStats(pid);
    out(`server RSS after the runs: ${stats.rssMb.toFixed(1)} MB; server CPU total ${stats.cpuSeconds.toFixed(1)} s`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }

  const kioskBench = join(PROJECT_ROOT, 'bench', 'kiosk-tap.ts');
  if (!args['skip-browser'] && existsSync(kioskBench) && existsSync(join(PROJECT_ROOT, 'dist', 'renderer', 'kiosk', 'index.html'))) {
    const mod = (await import(kioskBench)) as { benchKioskTap(o: { samples: number }): Promise<{ p50: number; p95: number; samples: number }> };
    const tap = await mod.benchKioskTap({ samples: 30 });
    out(`kiosk tap → ticket shown (Chromium, loopback), n=${tap.samples}: p50 ${fmt(tap.p50)}  p95 ${fmt(tap.p95)}   [target p95 ≤ 300 ms]`);
  } else if (!args['skip-browser']) {
    out('kiosk tap → ticket shown: skipped (run `npm run build` first)');
  }
}

await main();
