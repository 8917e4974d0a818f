// `node bench/load.ts`: the hall server as a separate process under a hall-sized load, at several
// client counts (default 200, 1000 and 2000). A "client" is a display screen on /display or a
// visitor's phone polling GET /api/v1/track/:token (20 %); on top of those, 20 kiosks issue and 30
// clerks call, start and complete (the rates are options; the defaults are roughly 15× the peak of a
// real 30-counter hall, so queueing shows).
//
// Figures per step: ticket:issue acknowledgement p50/p99 (kiosk emit → ack; and the server's own part,
// from reading the command to handing over its ack, from /health), call → display fan-out
// p50/p99 (counter emit of call-next → each display's receipt of hall:called), tracking-poll and
// /health p50/p99, a disk fsync probe, the server child's CPU (share of one core, /proc/<pid>/stat)
// and RSS (/proc/<pid>/status), its main thread's time on a CPU and waiting for one (schedstat), how
// busy the bench and the whole machine were, and how late a separate, sleeping process woke up — at
// rest before the steps (--rest seconds) and during each: the machine's own floor under every latency.
// Display sockets and phone polls run in worker threads (cores − 1 by default: one on 2 cores); kiosks, counters and the
// measurements run on the main thread. The displays are light clients (test/helpers/light-display.ts:
// the Socket.IO wire protocol over a bare WebSocket, parsing only hall:called and the seq range of
// hall:update), because a few thousand socket.io-client instances cost the bench about a core, taken
// from the server on the same machine; --full-clients uses socket.io-client for them as before. Each
// step checks the light clients against one socket.io-client display on the main thread: the first
// display of every worker must have seen the same hall:called messages and hall:update seqs. Latencies are measured on one machine with performance.timeOrigin + performance.now(),
// comparable across threads. Every step has a fixed duration and stops everything it started.
//
// The hall (a 30-counter catalogue, 20 kiosk, 30 counter and 1 display devices, 30 clerks) is made
// with the `hall` CLI once per run; each step copies it and starts a fresh server on the copy.
//   node bench/load.ts [--steps 200,1000,2000] [--seconds 60] [--rest 10] [--workers N (cores − 1)] [--prepared DIR]
//                      [--kiosk-interval MS] [--called MS] [--serving MS] [--idle MS] [--full-clients]
//                      [--storm MS: halfway through each step, drop every display and reconnect each within MS]
//                      [--trace: the server writes a trace (server/trace.ts); each step then explains its slowest acks]
//                      [--prepare-only --prepared DIR: make the hall and stop, printing how to start a server on it]
//                      [--url URL --prepared DIR: the clients only, against that server already running (another
//                       machine: the server's CPU, RSS and disk are then not measured here, and /health gives its
//                       main thread's share on a CPU; every step runs on the same hall, whose waiting tickets,
//                       phones' tickets included, stay from step to step and run to run)]
// --prepared keeps the CLI-made hall in DIR and reuses it next time (saves ~50 s).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';
import { DEMO_CATALOGUE } from '../server/demo-hall.ts';
import { parseSchedStat } from '../server/timings.ts';
import { STALL_MS, STALL_TICK_MS as TRACE_TICK_MS, readTrace } from '../server/trace.ts';
import type { CatalogueFile } from '../shared/catalogue.ts';
import {
  PROTOCOL_VERSION,
  type Ack,
  type CallView,
  type CounterCommandResult,
  type HallSnapshot,
  type HallUpdate,
  type HealthView,
  type IssueTicketResult,
  type LatencySummary,
  type ServerTimingsView,
} from '../shared/protocol.ts';
import { LightDisplay, connectLightDisplay } from '../test/helpers/light-display.ts';
import { percentile, processStats, sleep } from '../test/helpers/load-clients.ts';
import { PROJECT_ROOT, runCli, startHallProcess, type HallProcess } from '../test/helpers/process.ts';
import { explainSlowest, explanationLine, type ClientStall, type SentAck } from './explain.ts';

// ------------------------------------------------------------------ options and results

export interface LoadOptions {
  /** client counts to run, in order (displays + phone trackers) */
  steps: number[];
  /** measured seconds per step */
  seconds: number;
  /** seconds of load before the measurement starts */
  warmupSeconds: number;
  /** seconds the stall probe watches the machine at rest before the first step */
  restSeconds: number;
  kiosks: number;
  counters: number;
  /** share of the clients that are phones polling the tracking page */
  trackerShare: number;
  trackerPollMs: number;
  /** each kiosk issues one ticket every this many ms */
  kioskIntervalMs: number;
  /** tickets waiting for the counters when a step starts */
  prefill: number;
  /** a clerk's cycle: call, wait, start, wait, complete, wait (ms each) */
  calledMs: number;
  servingMs: number;
  idleMs: number;
  /** worker threads that hold the displays and phones */
  workers: number;
  /** displays as full socket.io-client instances instead of light WebSocket clients */
  fullClients: boolean;
  /**
   * run the server with a diagnostic trace (HALL_TRACE_FILE, server/trace.ts) and print what the
   * slowest acknowledgements of each step waited behind (bench/explain.ts)
   */
  trace: boolean;
  /**
   * halfway through each measured step, drop every display connection at once (but the one checked
   * against the reference) and reconnect each after a random delay up to this many ms, as screens do
   * after a Wi-Fi blip (socket.io-client's backoff); 0: no storm
   */
  stormSpreadMs: number;
  /** keep the prepared hall here and reuse it on the next run (null: a temporary directory) */
  preparedDir: string | null;
  /**
   * a hall server already running elsewhere (another machine), on the hall prepared in `preparedDir`
   * (`--prepare-only`, then `hall start` on its template); null: the bench starts one per step on loopback
   */
  url: string | null;
  log: (line: string) => void;
}

export const DEFAULT_LOAD_OPTIONS: LoadOptions = {
  steps: [200, 1000, 2000],
  // 60 s: about 200 acknowledgements per step, so the p99 is not just the single slowest answer
  seconds: 60,
  warmupSeconds: 3,
  restSeconds: 10,
  kiosks: 20,
  counters: 30,
  trackerShare: 0.2,
  trackerPollMs: 3_000,
  kioskIntervalMs: 6_000,
  prefill: 60,
  calledMs: 2_000,
  servingMs: 6_000,
  idleMs: 1_000,
  // the server, the bench's main thread and this many workers share the machine: on 2 cores, one
  // worker (measured: two gave a worse ack p99, a third thread for the kiosks worse still)
  workers: Math.max(1, cpus().length - 1),
  fullClients: false,
  trace: false,
  stormSpreadMs: 0,
  preparedDir: null,
  url: null,
  log: (line) => process.stdout.write(line + '\n'),
};

interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface StepResult {
  clients: number;
  displays: number;
  trackers: number;
  issue: Summary & { refusals: number; rate: number };
  fanOut: Summary & { calls: number; missing: number };
  /** the displays' own account: hall:update seq gaps, sockets no longer connected at the end, pings answered */
  displayHealth: { gaps: number; disconnected: number; pings: number };
  /** the first display of each worker against a socket.io-client display on the main thread */
  referenceCheck: { ok: boolean; calls: number; updates: number; detail: string };
  track: Summary & { errors: number; errorKinds: string };
  /** GET /api/v1/health answered every 250 ms during the step: the server's responsiveness */
  health: Summary;
  /** write + fsync of 4 KiB beside the database every 250 ms: stalls of the disk (other processes) show here (null: a remote server) */
  fsync: Summary | null;
  /** the reconnect storm, when there was one: how long until every display was back, and the acks sent meanwhile */
  storm: { displays: number; reconnectMs: number; failed: number; issue: Summary } | null;
  /** the server's own figures at the end of the step (GET /api/v1/health: last 1,024 commits, last 10 s of the loop) */
  serverTimings: ServerTimingsView;
  commitsPerSecond: number;
  /** the server process's CPU and memory (/proc; null: a remote server) */
  serverCpuPercent: number | null;
  serverRssMb: number | null;
  serverRssPeakMb: number | null;
  benchCpuPercent: number;
  workerUtilisation: number[];
  mainUtilisation: number;
  /** how late a 1 ms timer fired on the bench's main thread (where acknowledgements are timed): p99 and max, ms */
  mainLoopDelay: { p99: number; max: number };
  /** the whole machine's CPU in use during the step, in cores (other processes included) */
  machineCores: number;
  /** CPU time the hypervisor took from this (virtual) machine, as a share of all its CPU time */
  stealPercent: number;
  loadAverage: number;
  /**
   * the server's main thread over the step (/proc/<pid>/task/<pid>/schedstat): on a CPU, and ready but
   * waiting for one; for a remote server, its own report over its last 10 s (/health)
   */
  serverMainThread: { cpuShare: number; runQueueShare: number | null; remote: boolean } | null;
  /** a separate process that only sleeps, timed over the step */
  stalls: StallSummary;
  /** with --trace: every measured acknowledgement, the trace file the server wrote, when measuring began, the kiosks' loop's late turns */
  trace: { acks: SentAck[]; file: string; startedAt: number; clientStalls: ClientStall[] } | null;
}

/**
 * How late a process that does nothing but sleep wakes up: a separate Node process arms a
 * STALL_TICK_MS timer again and again and counts how often it fired more than 10 or 20 ms late. On an
 * idle machine that is the floor under every latency here (the hypervisor or the host not running this
 * virtual machine's CPUs, which /proc/stat's steal does not always show); under load it adds the wait
 * for a CPU that any thread, the server's included, has when the cores are busy.
 */
export interface StallSummary {
  seconds: number;
  /** wake-ups more than 10 / 20 ms late, per minute */
  over10PerMinute: number;
  over20PerMinute: number;
  maxLateMs: number;
}

const STALL_TICK_MS = 5;
const STALL_PROBE_SOURCE = `
let prev = performance.now();
const late = []; // only the wake-ups more than 10 ms late
const tick = () => {
  const now = performance.now();
  if (now - prev - ${STALL_TICK_MS} > 10) late.push(now - prev - ${STALL_TICK_MS});
  prev = now;
  setTimeout(tick, ${STALL_TICK_MS});
};
setTimeout(tick, ${STALL_TICK_MS});
const started = performance.now();
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - started) / 1000, late }));
  process.exit(0);
});
process.stdin.resume();
`;

/** Starts the sleeping process; `stop` ends it and summarises what it saw. */
function startStallProbe(): { stop: () => Promise<StallSummary> } {
  const child = spawn(process.execPath, ['-e', STALL_PROBE_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.stdin.end();
      await exited;
      const r = JSON.parse(out) as { seconds: number; late: number[] };
      const perMinute = (n: number) => (n / r.seconds) * 60;
      return {
        seconds: r.seconds,
        over10PerMinute: perMinute(r.late.length),
        over20PerMinute: perMinute(r.late.filter((x) => x > 20).length),
        maxLateMs: r.late.length ? Math.max(...r.late) : 0,
      };
    },
  };
}

const stallsLine = (s: StallSummary) =>
  `a sleeping process woke > 10 ms late ${s.over10PerMinute.toFixed(1)}/min, > 20 ms ${s.over20PerMinute.toFixed(1)}/min (max ${ms(s.maxLateMs)})`;

/** A process's main thread's time on a CPU and waiting on a run queue, ns (Linux schedstat). */
function mainThreadSchedStat(pid: number): { runNs: number; waitNs: number } | null {
  try {
    return parseSchedStat(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8'));
  } catch {
    return null;
  }
}

function summarise(samples: ArrayLike<number>): Summary {
  const s = Float64Array.from(samples).sort();
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1]! : Number.NaN };
}

const absNow = () => performance.timeOrigin + performance.now();

/** Busy, stolen and total CPU ticks of the whole machine (/proc/stat), to see what other processes and the hypervisor took. */
function machineTicks(): { busy: number; steal: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, steal: f[7] ?? 0, total };
}

/** Opens a socket.io-client socket and waits for its snapshot; `setup` adds listeners before any message. */
function connect(url: string, nsp: string, token: string, setup?: (socket: Socket) => void): Promise<Socket> {
  const socket = io(url + nsp, {
    auth: { token, protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 30_000,
  });
  return new Promise((resolve, reject) => {
    setup?.(socket);
    socket.once('hall:snapshot', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

function emitAck<T>(socket: Socket, event: string, payload?: unknown, timeoutMs = 10_000): Promise<Ack<T> | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    const done = (a: Ack<T>) => {
      clearTimeout(timer);
      resolve(a);
    };
    if (payload === undefined) socket.emit(event, done);
    else socket.emit(event, payload, done);
  });
}

// ------------------------------------------------------------------ the worker: displays and phones

interface WorkerInput {
  role: 'hall-load-clients';
  url: string;
  displayToken: string;
  displays: number;
  fullClients: boolean;
  trackingTokens: string[];
  trackerPollMs: number;
}

/** What one display saw over its whole connection, to compare clients: `seq:ticketId:recall` per call. */
interface DisplayRecord {
  snapshotSeq: number;
  called: string[];
  updates: number[];
}

const callKey = (c: CallView) => `${c.seq}:${c.ticket.id}:${c.recall ? 'recall' : 'call'}`;

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'storm-done'; displays: number; startedAt: number; reconnectedAt: number; failed: number }
  | {
      type: 'result';
      latencies: Float64Array;
      missing: number;
      track: Float64Array;
      trackErrors: number;
      trackErrorKinds: [string, number][];
      utilisation: number;
      gaps: number;
      disconnected: number;
      pings: number;
      probe: DisplayRecord | null;
    };

type MainMessage = { type: 'start' } | { type: 'storm'; spreadMs: number } | { type: 'stop'; callTimes: [string, number][] };

/** One display in a worker, whichever client it is. */
interface BenchDisplay {
  close(): void;
  connected(): boolean;
  gaps(): number;
  pings(): number;
}

/** A socket.io-client display (--full-clients), with the same seq-gap count as the light one. */
async function fullDisplay(url: string, token: string, onCalled: (c: CallView, at: number) => void, record: DisplayRecord | null): Promise<BenchDisplay> {
  let seq = -1;
  let gaps = 0;
  let pings = 0;
  const s = await connect(url, '/display', token, (socket) => {
    socket.on('hall:snapshot', (snap: HallSnapshot) => {
      if (record && record.snapshotSeq < 0) record.snapshotSeq = snap.seq;
      seq = snap.seq;
    });
    socket.on('hall:called', (call: CallView) => {
      onCalled(call, absNow());
      record?.called.push(callKey(call));
    });
    socket.on('hall:update', (u: HallUpdate) => {
      if (seq >= 0 && u.fromSeq > seq + 1) gaps++;
      if (u.seq > seq) seq = u.seq;
      record?.updates.push(u.seq);
    });
    socket.io.on('ping', () => pings++);
  });
  return { close: () => s.close(), connected: () => s.connected, gaps: () => gaps, pings: () => pings };
}

async function lightDisplay(url: string, token: string, onCalled: (c: CallView, at: number) => void, record: DisplayRecord | null): Promise<BenchDisplay> {
  const d: LightDisplay = await connectLightDisplay({
    url,
    token,
    onCalled: (call, at) => {
      onCalled(call, at);
      record?.called.push(callKey(call));
    },
    ...(record ? { onUpdate: (seq: number) => record.updates.push(seq) } : {}),
  });
  if (record) record.snapshotSeq = (await d.ready).seq;
  return { close: () => d.close(), connected: () => d.connected, gaps: () => d.gaps, pings: () => d.pings };
}

async function workerMain(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const displays: BenchDisplay[] = [];
  const receipts = new Map<string, number[]>(); // ticket id → receipt times of its first call
  let recording = true;
  const onCalled = (call: CallView, at: number) => {
    if (!recording || call.recall) return;
    let list = receipts.get(call.ticket.id);
    if (!list) receipts.set(call.ticket.id, (list = []));
    list.push(at);
  };
  const probe: DisplayRecord | null = input.displays > 0 ? { snapshotSeq: -1, called: [], updates: [] } : null;
  const open = input.fullClients ? fullDisplay : lightDisplay;
  for (let i = 0; i < input.displays; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, input.displays - i) }, (_, j) => open(input.url, input.displayToken, onCalled, i + j === 0 ? probe : null)),
    );
    displays.push(...batch);
  }
  const track: number[] = [];
  let trackErrors = 0;
  const trackErrorKinds = new Map<string, number>();
  const trackError = (kind: string) => {
    trackErrors++;
    trackErrorKinds.set(kind, (trackErrorKinds.get(kind) ?? 0) + 1);
  };
  let polling = true;
  const pollers: Promise<void>[] = [];
  const startPolling = () => {
    input.trackingTokens.forEach((token, i) => {
      pollers.push(
        (async () => {
          await sleep((i / Math.max(1, input.trackingTokens.length)) * input.trackerPollMs); // spread the phones out
          while (polling) {
            const t0 = performance.now();
            try {
              const res = await fetch(`${input.url}/api/v1/track/${token}`, { signal: AbortSignal.timeout(10_000) });
              await res.arrayBuffer();
              if (res.ok) track.push(performance.now() - t0);
              else trackError(`HTTP ${res.status}`);
            } catch (err) {
              trackError(err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.name) : 'error');
            }
            await sleep(input.trackerPollMs);
          }
        })(),
      );
    });
  };
  let elu0 = performance.eventLoopUtilization();
  // what the displays replaced in a storm had counted
  let droppedGaps = 0;
  let droppedPings = 0;
  const storm = async (spreadMs: number) => {
    const startedAt = absNow();
    let failed = 0;
    await Promise.all(
      displays.map(async (old, i) => {
        if (i === 0) return; // the display checked against the reference stays
        droppedGaps += old.gaps();
        droppedPings += old.pings();
        old.close();
        await sleep(Math.random() * spreadMs);
        try {
          displays[i] = await open(input.url, input.displayToken, onCalled, null);
        } catch {
          failed++;
        }
      }),
    );
    const out: WorkerMessage = { type: 'storm-done', displays: displays.length - 1, startedAt, reconnectedAt: absNow(), failed };
    port.postMessage(out);
  };
  port.on('message', (m: MainMessage) => {
    if (m.type === 'start') {
      elu0 = performance.eventLoopUtilization();
      startPolling();
      return;
    }
    if (m.type === 'storm') {
      void storm(m.spreadMs);
      return;
    }
    void (async () => {
      recording = false;
      const utilisation = performance.eventLoopUtilization(elu0).utilization;
      polling = false;
      await Promise.all(pollers);
      const latencies: number[] = [];
      let missing = 0;
      for (const [ticketId, t0] of m.callTimes) {
        const got = receipts.get(ticketId) ?? [];
        for (const at of got) latencies.push(at - t0);
        missing += Math.max(0, displays.length - got.length);
      }
      const gaps = displays.reduce((x, d) => x + d.gaps(), droppedGaps);
      const disconnected = displays.filter((d) => !d.connected()).length;
      const pings = displays.reduce((x, d) => x + d.pings(), droppedPings);
      for (const d of displays) d.close();
      const out: WorkerMessage = {
        type: 'result',
        latencies: Float64Array.from(latencies),
        missing,
        track: Float64Array.from(track),
        trackErrors,
        trackErrorKinds: [...trackErrorKinds],
        utilisation,
        gaps,
        disconnected,
        pings,
        probe,
      };
      port.postMessage(out);
      port.close();
    })();
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}

/**
 * Compares what the workers' first displays saw with a socket.io-client display's record, over the seq
 * range all of them were connected for: after the latest first snapshot, up to the earliest last update.
 */
function compareRecords(reference: DisplayRecord, probes: DisplayRecord[]): StepResult['referenceCheck'] {
  if (probes.length === 0) return { ok: true, calls: 0, updates: 0, detail: 'no displays' };
  const all = [reference, ...probes];
  const from = Math.max(...all.map((r) => r.snapshotSeq));
  const to = Math.min(...all.map((r) => r.updates.at(-1) ?? -1));
  const inWindow = (seq: number) => seq > from && seq <= to;
  const window = (r: DisplayRecord) => ({
    called: r.called.filter((k) => inWindow(Number(k.slice(0, k.indexOf(':'))))),
    updates: r.updates.filter(inWindow),
  });
  const ref = window(reference);
  const problems: string[] = [];
  probes.forEach((p, i) => {
    const w = window(p);
    const same = (a: readonly (string | number)[], b: readonly (string | number)[]) => a.length === b.length && a.every((x, j) => x === b[j]);
    if (!same(w.called, ref.called)) problems.push(`worker ${i}: ${w.called.length} calls ≠ reference ${ref.called.length}`);
    if (!same(w.updates, ref.updates)) problems.push(`worker ${i}: ${w.updates.length} updates ≠ reference ${ref.updates.length}`);
  });
  if (to <= from) problems.push(`no common seq range (${from}..${to})`);
  return { ok: problems.length === 0, calls: ref.called.length, updates: ref.updates.length, detail: problems.join('; ') || `seq ${from + 1}..${to}` };
}

// ------------------------------------------------------------------ preparing the hall

interface PreparedHall {
  template: string;
  kioskTokens: string[];
  /** the kiosks' device ids, beside their tokens (the server's trace names the device of each command) */
  kioskDeviceIds: string[];
  counterTokens: string[];
  displayToken: string;
  cleanup(): void;
}

/** Service of the phones' tickets: certificates waiting for collection, which the bench counters do not call. */
const TRACKED_SERVICE = 'pickup';

/** A 30-counter catalogue: the demo services, and comprehensive counters that serve all of them but pickup. */
function benchCatalogue(counters: number): CatalogueFile {
  const serviceIds = DEMO_CATALOGUE.services.map((s) => s.id).filter((id) => id !== TRACKED_SERVICE);
  return {
    ...DEMO_CATALOGUE,
    counters: Array.from({ length: counters }, (_, i) => ({
      id: `w${i + 1}`,
      number: i + 1,
      name: '综合窗口',
      kind: 'comprehensive' as const,
      area: i < counters / 2 ? '1F' : '2F',
      services: serviceIds.map((serviceId, j) => ({ serviceId, level: (j + i) % 3 === 0 ? ('backup' as const) : ('primary' as const) })),
    })),
  };
}

function cli(args: string[]): string {
  const r = runCli(args);
  if (r.status !== 0) throw new Error(`hall ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** The same `hall` CLI as runCli, asynchronously, so a few administrators' commands run at once. */
function cliAsync(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'server', 'cli.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, HALL_BUILD_PAGES: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`hall ${args.join(' ')} failed (${code}): ${err}`));
    });
  });
}

/** Runs the jobs with at most `limit` at a time, keeping their order in the answer. */
async function inBatches<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

function tokenFrom(stdout: string): string {
  return stdout.trim().split('\n').at(-1)!.trim();
}

/** `hall device add` prints `device ID (KIND) added; …` first */
function deviceIdFrom(stdout: string): string {
  const m = /^device (\S+) \(/.exec(stdout.trim());
  if (!m) throw new Error(`no device id in: ${stdout}`);
  return m[1]!;
}

/** Makes the hall once, with the CLI, on a fresh data directory that each step copies. */
async function prepareHall(o: LoadOptions): Promise<PreparedHall> {
  if (o.preparedDir && existsSync(join(o.preparedDir, 'tokens.json'))) {
    const saved = JSON.parse(readFileSync(join(o.preparedDir, 'tokens.json'), 'utf8')) as Omit<PreparedHall, 'cleanup'>;
    if (saved.kioskTokens.length === o.kiosks && saved.kioskDeviceIds?.length === o.kiosks && saved.counterTokens.length === o.counters) {
      return { ...saved, cleanup: () => {} };
    }
  }
  if (o.url !== null) throw new Error(`--url: ${o.preparedDir}/tokens.json does not describe ${o.kiosks} kiosks and ${o.counters} counters with their device ids; make it with --prepare-only`);
  const keep = o.preparedDir !== null;
  const root = o.preparedDir ?? mkdtempSync(join(tmpdir(), 'hall-load-'));
  rmSync(join(root, 'template'), { recursive: true, force: true });
  const template = join(root, 'template');
  const catalogueFile = join(root, 'catalogue.json');
  writeFileSync(catalogueFile, JSON.stringify(benchCatalogue(o.counters)));
  const dir = ['--data-dir', template];
  cli(['services', 'import', catalogueFile, ...dir]); // first: creates the database and the counters
  const device = (kind: string, name: string, counter?: number) => () =>
    cliAsync(['device', 'add', '--kind', kind, '--name', name, ...(counter ? ['--counter', String(counter)] : []), ...dir]);
  const jobs = [
    ...Array.from({ length: o.kiosks }, (_, i) => device('kiosk', `k${i + 1}`)),
    ...Array.from({ length: o.counters }, (_, i) => device('counter', `w${i + 1}`, i + 1)),
    device('display', 'screens'),
    ...Array.from({ length: o.counters }, (_, i) => () =>
      cliAsync(['staff', 'add', '--login', `clerk${i + 1}`, '--name', `窗口${i + 1}`, '--password', 'bench1234', ...dir])),
  ];
  const outputs = await inBatches(jobs, 3);
  const kioskTokens = outputs.slice(0, o.kiosks).map(tokenFrom);
  const kioskDeviceIds = outputs.slice(0, o.kiosks).map(deviceIdFrom);
  const counterTokens = outputs.slice(o.kiosks, o.kiosks + o.counters).map(tokenFrom);
  const displayToken = tokenFrom(outputs[o.kiosks + o.counters]!);
  if (keep) writeFileSync(join(root, 'tokens.json'), JSON.stringify({ template, kioskTokens, kioskDeviceIds, counterTokens, displayToken }));
  return { template, kioskTokens, kioskDeviceIds, counterTokens, displayToken, cleanup: () => (keep ? undefined : rmSync(root, { recursive: true, force: true })) };
}

// ------------------------------------------------------------------ one step

/** the acknowledgement target of issue 5 (p99, ms): acks above it are tallied by cause with --trace */
const ISSUE_TARGET_MS = 20;

const SERVICES = ['id-card', 'passport', 'social-insurance', 'pension', 'medical-insurance', 'company', 'tax', 'consult'];

async function runStep(o: LoadOptions, prepared: PreparedHall, clients: number): Promise<StepResult> {
  const local = serverIsLocal(o);
  // in every idempotency key: a step never replays another's ticket (with --url, runs share one hall)
  const stepId = randomUUID();
  const dataDir = local ? `${prepared.template}-${clients}` : null;
  if (dataDir) cpSync(prepared.template, dataDir, { recursive: true });
  const traceFile = o.trace && local ? join(tmpdir(), `hall-load-trace-${clients}-${process.pid}.jsonl`) : null;
  if (traceFile) rmSync(traceFile, { force: true });
  // the simulated displays share one display token (a hall pairs each screen): let it hold them all
  const child: HallProcess | null = dataDir
    ? await startHallProcess(dataDir, {
        HALL_DEMO: '0',
        HALL_MAX_CONNECTIONS_PER_DEVICE: String(clients + 100),
        ...(traceFile && { HALL_TRACE_FILE: traceFile }),
      })
    : null;
  const server = { url: child?.url ?? o.url! };
  const pid = child?.child.pid ?? null;
  const workers: Worker[] = [];
  const sockets: Socket[] = [];
  try {
    const trackers = Math.round(clients * o.trackerShare);
    const displays = clients - trackers;

    // Before the step, over HTTP (spread over the kiosks: per-device rate limit): the phones' tickets, in a
    // service no bench counter calls, and a starting queue of `o.prefill` tickets for the counters.
    const trackingTokens: string[] = [];
    const before = trackers + o.prefill;
    for (let i = 0; i < before; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, before - i) }, async (_, j) => {
          const kiosk = prepared.kioskTokens[(i + j) % prepared.kioskTokens.length]!;
          const serviceId = i + j < trackers ? TRACKED_SERVICE : SERVICES[(i + j) % SERVICES.length];
          const res = await fetch(`${server.url}/api/v1/tickets`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${kiosk}` },
            body: JSON.stringify({ serviceId, idempotencyKey: `before-${stepId}-${i + j}` }),
          });
          if (res.status !== 201) throw new Error(`pre-issue failed: ${res.status} ${await res.text()}`);
          return ((await res.json()) as IssueTicketResult).ticket.trackingToken;
        }),
      );
      trackingTokens.push(...batch);
      await sleep(100);
    }
    trackingTokens.splice(trackers);

    // displays and phones in worker threads
    const results: Promise<Extract<WorkerMessage, { type: 'result' }>>[] = [];
    const storms: Promise<Extract<WorkerMessage, { type: 'storm-done' }>>[] = [];
    const ready: Promise<void>[] = [];
    const n = Math.max(1, o.workers);
    for (let w = 0; w < n; w++) {
      const input: WorkerInput = {
        role: 'hall-load-clients',
        url: server.url,
        displayToken: prepared.displayToken,
        displays: Math.floor(displays / n) + (w < displays % n ? 1 : 0),
        fullClients: o.fullClients,
        trackingTokens: trackingTokens.filter((_, i) => i % n === w),
        trackerPollMs: o.trackerPollMs,
      };
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: input });
      workers.push(worker);
      ready.push(new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.on('message', (m: WorkerMessage) => m.type === 'ready' && resolve());
      }));
      results.push(new Promise((resolve, reject) => {
        worker.once('error', reject);
        worker.on('message', (m: WorkerMessage) => m.type === 'result' && resolve(m));
      }));
      storms.push(new Promise((resolve) => worker.on('message', (m: WorkerMessage) => m.type === 'storm-done' && resolve(m))));
    }
    await Promise.all(ready);

    // a socket.io-client display on the main thread, the reference the workers' first displays are checked against
    const reference: DisplayRecord = { snapshotSeq: -1, called: [], updates: [] };
    sockets.push(
      await connect(server.url, '/display', prepared.displayToken, (socket) => {
        socket.once('hall:snapshot', (snap: HallSnapshot) => (reference.snapshotSeq = snap.seq));
        socket.on('hall:called', (call: CallView) => reference.called.push(callKey(call)));
        socket.on('hall:update', (u: HallUpdate) => reference.updates.push(u.seq));
      }),
    );

    // kiosks and counters on the main thread
    const kiosks = await Promise.all(prepared.kioskTokens.map((t) => connect(server.url, '/kiosk', t)));
    const counters = await Promise.all(prepared.counterTokens.map((t) => connect(server.url, '/counter', t)));
    sockets.push(...kiosks, ...counters);
    await Promise.all(
      counters.map(async (c, i) => {
        const a = await emitAck(c, 'staff:sign-in', { login: `clerk${i + 1}`, password: 'bench1234' });
        if (!a?.ok) throw new Error(`sign-in clerk${i + 1}: ${a ? a.error.code : 'no answer'}`);
      }),
    );
    await sleep(500);

    // the load starts now; figures are taken after a warm-up, over exactly `o.seconds`
    const loadStart = performance.now();
    const endAt = loadStart + (o.warmupSeconds + o.seconds) * 1000;
    const running = () => performance.now() < endAt;
    let measuring = false;

    const issueLatencies: number[] = [];
    const issueSentAt: number[] = []; // absolute, beside each latency
    const issueDevices: string[] = []; // the kiosk's device id, beside each latency
    let issueRefusals = 0;
    let issued = 0;
    const kioskLoops = kiosks.map(async (k, i) => {
      await sleep((i / kiosks.length) * o.kioskIntervalMs);
      let next = performance.now();
      let attempt = 0;
      while (running()) {
        attempt++;
        const s = performance.now();
        const measured = measuring;
        const a = await emitAck<IssueTicketResult>(k, 'ticket:issue', {
          serviceId: SERVICES[(i + attempt) % SERVICES.length],
          idempotencyKey: `load-${stepId}-${i}-${attempt}`,
        });
        if (measured) {
          issueLatencies.push(performance.now() - s);
          issueSentAt.push(performance.timeOrigin + s);
          issueDevices.push(prepared.kioskDeviceIds[i]!);
          if (a?.ok) issued++;
          else issueRefusals++;
        }
        next += o.kioskIntervalMs;
        await sleep(Math.max(0, next - performance.now()));
      }
    });

    const callTimes = new Map<string, number>();
    const counterLoops = counters.map(async (c, i) => {
      await sleep((i / counters.length) * (o.calledMs + o.servingMs + o.idleMs));
      while (running()) {
        const sentAt = absNow();
        const measured = measuring;
        const called = await emitAck<CounterCommandResult>(c, 'counter:call-next');
        if (called && !called.ok && called.error.code === 'COUNTER_BUSY') {
          // a visitor left at the counter by an earlier step on the same hall (--url): finish with them first
          await emitAck(c, 'counter:start');
          await emitAck(c, 'counter:complete', { outcome: 'concluded' });
          continue;
        }
        if (!called?.ok || !called.data.ticket) {
          await sleep(500);
          continue;
        }
        if (measured) callTimes.set(called.data.ticket.id, sentAt);
        await sleep(o.calledMs);
        if (!running()) break;
        await emitAck(c, 'counter:start');
        await sleep(o.servingMs);
        if (!running()) break;
        await emitAck(c, 'counter:complete', { outcome: 'concluded' });
        await sleep(o.idleMs);
      }
    });

    await sleep(o.warmupSeconds * 1000);
    const seq0 = ((await (await fetch(`${server.url}/api/v1/health`)).json()) as { seq: number }).seq;
    const cpu0 = pid !== null ? processStats(pid).cpuSeconds : 0;
    const machine0 = machineTicks();
    const thread0 = pid !== null ? mainThreadSchedStat(pid) : null;
    const stallProbe = startStallProbe();
    const benchCpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const mainLoop = monitorEventLoopDelay({ resolution: 1 });
    mainLoop.enable();
    // with --trace: the kiosks' own late loop turns, laid beside the server's (bench/explain.ts)
    const clientStalls: ClientStall[] = [];
    let lastTick = performance.now();
    const clientStallTimer = o.trace
      ? setInterval(() => {
          const now = performance.now();
          const late = now - lastTick - TRACE_TICK_MS;
          if (late > STALL_MS) clientStalls.push({ at: performance.timeOrigin + lastTick + TRACE_TICK_MS, ms: late });
          lastTick = now;
        }, TRACE_TICK_MS)
      : null;
    const t0 = performance.now();
    measuring = true;
    const measuredFrom = performance.timeOrigin + t0;
    for (const w of workers) w.postMessage({ type: 'start' } satisfies MainMessage);

    const healthLatencies: number[] = [];
    const healthProbe = (async () => {
      while (measuring) {
        const h0 = performance.now();
        try {
          await (await fetch(`${server.url}/api/v1/health`, { signal: AbortSignal.timeout(20_000) })).arrayBuffer();
        } catch {
          // a timeout counts with its full duration
        }
        healthLatencies.push(performance.now() - h0);
        await sleep(250);
      }
    })();
    // the disk under the database: one 4 KiB write + fsync every 250 ms beside hall.db (what a commit waits for)
    const fsyncLatencies: number[] = [];
    const fsyncProbe = (async () => {
      if (!dataDir) return; // a remote server's disk is not here
      const file = await open(join(dataDir, 'fsync-probe'), 'w');
      try {
        const block = Buffer.alloc(4096, 1);
        while (measuring) {
          const f0 = performance.now();
          await file.write(block, 0, block.length, 0);
          await file.sync();
          fsyncLatencies.push(performance.now() - f0);
          await sleep(250);
        }
      } finally {
        await file.close();
      }
    })();
    let rssPeak = 0;
    const sampler = pid !== null ? setInterval(() => (rssPeak = Math.max(rssPeak, processStats(pid).rssMb)), 500) : null; // a remote server's is not here

    if (o.stormSpreadMs > 0) {
      await sleep((o.seconds * 1000) / 2);
      for (const w of workers) w.postMessage({ type: 'storm', spreadMs: o.stormSpreadMs } satisfies MainMessage);
      await sleep((o.seconds * 1000) / 2);
    } else await sleep(o.seconds * 1000);
    measuring = false;
    const elapsed = (performance.now() - t0) / 1000;
    if (sampler) clearInterval(sampler);
    const cpu = pid !== null ? (processStats(pid).cpuSeconds - cpu0) / elapsed : null;
    const machine1 = machineTicks();
    const thread1 = pid !== null ? mainThreadSchedStat(pid) : null;
    const stalls = await stallProbe.stop();
    const machineBusy = (machine1.busy - machine0.busy) / (machine1.total - machine0.total);
    const benchCpu = process.cpuUsage(benchCpu0);
    const mainUtilisation = performance.eventLoopUtilization(elu0).utilization;
    mainLoop.disable();
    if (clientStallTimer) clearInterval(clientStallTimer);
    const health1 = (await (await fetch(`${server.url}/api/v1/health`)).json()) as HealthView;
    const seq1 = health1.seq;
    const rss = pid !== null ? processStats(pid).rssMb : null;
    await Promise.all([...kioskLoops, ...counterLoops, healthProbe, fsyncProbe]);
    await sleep(1_000); // the last fan-outs arrive
    for (const w of workers) w.postMessage({ type: 'stop', callTimes: [...callTimes] } satisfies MainMessage);
    const done = await Promise.all(results);
    const fan = summarise(Float64Array.from(done.flatMap((d) => [...d.latencies])));
    const track = summarise(Float64Array.from(done.flatMap((d) => [...d.track])));
    return {
      clients,
      displays,
      trackers,
      issue: { ...summarise(issueLatencies), refusals: issueRefusals, rate: issued / elapsed },
      fanOut: { ...fan, calls: callTimes.size, missing: done.reduce((x, d) => x + d.missing, 0) },
      displayHealth: {
        gaps: done.reduce((x, d) => x + d.gaps, 0),
        disconnected: done.reduce((x, d) => x + d.disconnected, 0),
        pings: done.reduce((x, d) => x + d.pings, 0),
      },
      referenceCheck: compareRecords(reference, done.flatMap((d) => (d.probe ? [d.probe] : []))),
      track: {
        ...track,
        errors: done.reduce((x, d) => x + d.trackErrors, 0),
        errorKinds: done.flatMap((d) => d.trackErrorKinds.map(([k, v]) => `${k}×${v}`)).join(', '),
      },
      health: summarise(healthLatencies),
      fsync: dataDir ? summarise(fsyncLatencies) : null,
      serverTimings: health1.timings,
      storm: o.stormSpreadMs > 0 ? stormSummary(await Promise.all(storms), issueSentAt, issueLatencies) : null,
      commitsPerSecond: (seq1 - seq0) / elapsed,
      serverCpuPercent: cpu !== null ? cpu * 100 : null,
      serverRssMb: rss,
      serverRssPeakMb: rss !== null ? Math.max(rssPeak, rss) : null,
      benchCpuPercent: ((benchCpu.user + benchCpu.system) / 1e6 / elapsed) * 100,
      workerUtilisation: done.map((d) => d.utilisation),
      mainUtilisation,
      mainLoopDelay: { p99: mainLoop.percentile(99) / 1e6, max: mainLoop.max / 1e6 },
      machineCores: machineBusy * cpus().length,
      stealPercent: ((machine1.steal - machine0.steal) / (machine1.total - machine0.total)) * 100,
      loadAverage: loadavg()[0]!,
      serverMainThread:
        thread0 && thread1
          ? { cpuShare: (thread1.runNs - thread0.runNs) / 1e9 / elapsed, runQueueShare: (thread1.waitNs - thread0.waitNs) / 1e9 / elapsed, remote: false }
          : !local && health1.timings.mainThread
            ? { cpuShare: health1.timings.mainThread.cpuShare, runQueueShare: health1.timings.mainThread.runQueueShare, remote: true }
            : null,
      stalls,
      trace: traceFile ? { acks: issueSentAt.map((sentAt, i) => ({ sentAt, ms: issueLatencies[i]!, device: issueDevices[i]! })), file: traceFile, startedAt: measuredFrom, clientStalls } : null,
    };
  } finally {
    for (const s of sockets) s.close();
    await Promise.all(workers.map((w) => w.terminate()));
    if (child) {
      child.child.kill('SIGTERM');
      const stopped = await Promise.race([child.exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!stopped) {
        child.child.kill('SIGKILL');
        await child.exited;
      }
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ the whole run

const ms = (x: number) => `${x.toFixed(1)} ms`;
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const serverIsLocal = (o: LoadOptions) => o.url === null;

/** A storm: from the first drop until every display is back, plus 1 s; the acks sent within that time. */
function stormSummary(done: Extract<WorkerMessage, { type: 'storm-done' }>[], sentAt: number[], latencies: number[]): NonNullable<StepResult['storm']> {
  const from = Math.min(...done.map((d) => d.startedAt));
  const to = Math.max(...done.map((d) => d.reconnectedAt));
  const during = latencies.filter((_, i) => sentAt[i]! >= from && sentAt[i]! <= to + 1_000);
  return {
    displays: done.reduce((x, d) => x + d.displays, 0),
    reconnectMs: to - from,
    failed: done.reduce((x, d) => x + d.failed, 0),
    issue: summarise(during),
  };
}

/** p50, p99 and max of a summary from /health, or none. */
const summaryText = (x: LatencySummary | null | undefined) => (x ? `p50 ${ms(x.p50Ms)}  p99 ${ms(x.p99Ms)}  max ${ms(x.maxMs)}` : 'none');

/** the server's own time for the commands the kiosks and clerks send most (GET /api/v1/health → timings.commands) */
function commandsLine(t: ServerTimingsView): string {
  return ['ticket:issue', 'counter:call-next']
    .map((name) => `${name} n=${t.commands[name]?.samples ?? 0} ${summaryText(t.commands[name])}`)
    .join('; ');
}

/** The server's own commit and event-loop figures, as it reports them on /health. */
function timingsLine(t: ServerTimingsView): string {
  return `commit (transaction + fsync) ${summaryText(t.commits)} over the last ${t.commits?.samples ?? 0}; event-loop delay ${summaryText(t.eventLoopDelay)}`;
}

/** What the slowest acknowledgements waited behind, from the server's trace (read once the server has stopped). */
function traceLines(t: NonNullable<StepResult['trace']>): string {
  const entries = readTrace(readFileSync(t.file, 'utf8'));
  const { slowest, tally, over } = explainSlowest(t.acks, entries, 5, ISSUE_TARGET_MS, t.clientStalls);
  const causes = [...tally].sort((a, b) => b[1] - a[1]).map(([cause, n]) => `${cause} ${n}`).join(', ');
  return (
    `  trace                 ${entries.length} entries in ${t.file}; acks over ${ISSUE_TARGET_MS} ms: ${over}${over ? ` (biggest part: ${causes})` : ''}; the slowest:\n` +
    slowest.map((x) => `    ${explanationLine(x, t.startedAt)}`).join('\n')
  );
}

export async function benchLoad(options: Partial<LoadOptions> = {}): Promise<StepResult[]> {
  const o: LoadOptions = { ...DEFAULT_LOAD_OPTIONS, ...options };
  const log = o.log;
  if (o.url !== null) {
    if (o.trace) throw new Error('--trace needs the server on this machine (its trace file is read here)');
    if (!o.preparedDir || !existsSync(join(o.preparedDir, 'tokens.json'))) {
      throw new Error('--url needs --prepared DIR holding the tokens.json of the hall the server runs (made with --prepare-only)');
    }
  }
  log(
    `hall load bench — node ${process.version}, ${cpus().length} cores; ${o.kiosks} kiosks (1 ticket / ${o.kioskIntervalMs} ms each), ` +
      `${o.counters} counters (call, ${o.calledMs} ms, start, ${o.servingMs} ms, complete, ${o.idleMs} ms), ` +
      `${Math.round(o.trackerShare * 100)}% of clients are phones polling the tracking page every ${o.trackerPollMs} ms; ${o.prefill} tickets waiting at the start; ` +
      `displays (${o.fullClients ? 'socket.io-client' : 'light WebSocket clients'}) and phones spread over ${o.workers} worker threads; ` +
      `${o.warmupSeconds} s warm-up + ${o.seconds} s measured per step` +
      (o.url !== null ? `; the server at ${o.url}, already running (every step on the same hall)` : ''),
  );
  const atRest = startStallProbe();
  await sleep(o.restSeconds * 1000);
  log(`machine at rest (${o.restSeconds} s before the steps): ${stallsLine(await atRest.stop())}`);
  const t = performance.now();
  const prepared = await prepareHall(o);
  if (o.url === null) log(`hall prepared with the CLI in ${((performance.now() - t) / 1000).toFixed(1)} s (catalogue import, ${o.kiosks + o.counters + 1} devices, ${o.counters} staff)`);
  const results: StepResult[] = [];
  try {
    for (const clients of o.steps) {
      const r = await runStep(o, prepared, clients);
      results.push(r);
      log(
        `${String(clients).padStart(5)} clients (${r.displays} displays + ${r.trackers} phones), ${r.commitsPerSecond.toFixed(1)} commits/s:\n` +
          `  ticket:issue ack      n=${r.issue.n} (${r.issue.rate.toFixed(1)}/s) p50 ${ms(r.issue.p50)}  p99 ${ms(r.issue.p99)}  max ${ms(r.issue.max)}  refusals ${r.issue.refusals}   [target p99 ≤ ${ISSUE_TARGET_MS} ms]\n` +
          `  call → display        ${r.fanOut.calls} calls, n=${r.fanOut.n} p50 ${ms(r.fanOut.p50)}  p99 ${ms(r.fanOut.p99)}  max ${ms(r.fanOut.max)}  missing ${r.fanOut.missing}   [target p99 ≤ 100 ms]\n` +
          `  displays              ${o.fullClients ? 'socket.io-client' : 'light'}: seq gaps ${r.displayHealth.gaps}, disconnected ${r.displayHealth.disconnected}, pings answered ${r.displayHealth.pings}; ` +
          `vs a socket.io-client display: ${r.referenceCheck.ok ? 'same' : 'DIFFERENT'} ${r.referenceCheck.calls} hall:called + ${r.referenceCheck.updates} hall:update (${r.referenceCheck.detail})\n` +
          `  tracking poll         n=${r.track.n} p50 ${ms(r.track.p50)}  p99 ${ms(r.track.p99)}  errors ${r.track.errors}${r.track.errors ? ` (${r.track.errorKinds})` : ''}\n` +
          `  GET /health (4/s)     n=${r.health.n} p50 ${ms(r.health.p50)}  p99 ${ms(r.health.p99)}  max ${ms(r.health.max)}\n` +
          (r.fsync ? `  disk fsync probe      n=${r.fsync.n} p50 ${ms(r.fsync.p50)}  p99 ${ms(r.fsync.p99)}  max ${ms(r.fsync.max)}\n` : '') +
          (r.storm
            ? `  reconnect storm       ${r.storm.displays} displays dropped at once, back within ${(r.storm.reconnectMs / 1000).toFixed(1)} s (failed ${r.storm.failed}); ` +
              `ticket:issue ack sent meanwhile (+1 s): n=${r.storm.issue.n} p50 ${ms(r.storm.issue.p50)}  p99 ${ms(r.storm.issue.p99)}  max ${ms(r.storm.issue.max)}\n`
            : '') +
          `  server per command    read → ack, ${serverIsLocal(o) ? 'warm-up included' : 'the last 1,024 since the server started (earlier steps included)'}: ${commandsLine(r.serverTimings)}\n` +
          `  server timings        ${timingsLine(r.serverTimings)}${serverIsLocal(o) ? '' : ' (earlier steps included)'}\n` +
          (r.serverMainThread
            ? `  server main thread    on a CPU ${pct(r.serverMainThread.cpuShare)} of the time, ready but waiting for one ${pct(r.serverMainThread.runQueueShare)}` +
              `${r.serverMainThread.remote ? ' (its own report over its last 10 s)' : ''}\n`
            : '') +
          (r.serverCpuPercent !== null && r.serverRssMb !== null && r.serverRssPeakMb !== null
            ? `  server                CPU ${r.serverCpuPercent.toFixed(0)}% of one core, RSS ${r.serverRssMb.toFixed(0)} MB (peak ${r.serverRssPeakMb.toFixed(0)} MB)   [target RSS ≤ 500 MB]\n`
            : `  server                at ${o.url}: its CPU and RSS are read on its own machine (/proc/<pid>/stat, /proc/<pid>/status)\n`) +
          `  bench process         CPU ${r.benchCpuPercent.toFixed(0)}% (all threads), event-loop busy: main ${(r.mainUtilisation * 100).toFixed(0)}% (delay p99 ${ms(r.mainLoopDelay.p99)}, max ${ms(r.mainLoopDelay.max)}), workers ${r.workerUtilisation.map((u) => `${(u * 100).toFixed(0)}%`).join(' / ')}\n` +
          `  machine               ${r.machineCores.toFixed(2)} of ${cpus().length} cores busy (${serverIsLocal(o) ? 'server + bench' : 'the bench'} + other processes), load average ${r.loadAverage.toFixed(2)}, steal ${r.stealPercent.toFixed(1)}% (time the hypervisor took); ${stallsLine(r.stalls)}`,
      );
      if (r.trace) log(traceLines(r.trace));
    }
  } finally {
    prepared.cleanup();
  }
  if (results.length > 1) {
    const a = results[0]!;
    const b = results.at(-1)!;
    const f = (x: number, y: number) => (Number.isFinite(x) && x > 0 ? `×${(y / x).toFixed(1)}` : '–');
    log(
      `from ${a.clients} to ${b.clients} clients: issue p99 ${ms(a.issue.p99)} → ${ms(b.issue.p99)} (${f(a.issue.p99, b.issue.p99)}), ` +
        `fan-out p99 ${ms(a.fanOut.p99)} → ${ms(b.fanOut.p99)} (${f(a.fanOut.p99, b.fanOut.p99)}), ` +
        (a.serverCpuPercent !== null && b.serverCpuPercent !== null && a.serverRssMb !== null && b.serverRssMb !== null
          ? `server CPU ${a.serverCpuPercent.toFixed(0)}% → ${b.serverCpuPercent.toFixed(0)}%, RSS ${a.serverRssMb.toFixed(0)} → ${b.serverRssMb.toFixed(0)} MB`
          : 'server CPU and RSS: on its own machine'),
    );
  }
  return results;
}

// ------------------------------------------------------------------ entry points

function isWorkerInput(x: unknown): x is WorkerInput {
  return typeof x === 'object' && x !== null && (x as { role?: unknown }).role === 'hall-load-clients';
}

if (!isMainThread && isWorkerInput(workerData)) {
  await workerMain(workerData);
} else if (isMainThread && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: DEFAULT_LOAD_OPTIONS.steps.join(',') },
      seconds: { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.seconds) },
      workers: { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.workers) },
      'full-clients': { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      storm: { type: 'string', default: '0' },
      rest: { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.restSeconds) },
      prepared: { type: 'string' },
      url: { type: 'string' },
      'prepare-only': { type: 'boolean', default: false },
      'kiosk-interval': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.kioskIntervalMs) },
      called: { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.calledMs) },
      serving: { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.servingMs) },
      idle: { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.idleMs) },
    },
  });
  if (values.prepared) mkdirSync(values.prepared, { recursive: true });
  const steps = values.steps.split(',').map(Number);
  if (values['prepare-only']) {
    if (!values.prepared) throw new Error('--prepare-only needs --prepared DIR');
    if (values.url) throw new Error('--prepare-only makes the hall for a server; --url runs the clients against one: one at a time');
    const dir = values.prepared;
    const prepared = await prepareHall({ ...DEFAULT_LOAD_OPTIONS, preparedDir: dir });
    // the server gets a copy: the template stays clean for local runs and the next --prepare-only
    const serverDir = join(dir, 'server');
    rmSync(serverDir, { recursive: true, force: true });
    cpSync(prepared.template, serverDir, { recursive: true });
    process.stdout.write(
      `hall prepared in ${serverDir}, a fresh copy of ${prepared.template} (its devices' tokens in ${join(dir, 'tokens.json')}). ` +
        `On the server's machine, start it on that directory (the bench uses it up: tickets stay from step to step):\n` +
        `  HALL_HOST=0.0.0.0 HALL_LOG_LEVEL=warn HALL_MAX_CONNECTIONS_PER_DEVICE=${Math.max(...steps) + 100} npx hall start --no-demo --data-dir ${serverDir}\n` +
        `then, on the clients' machine, with ${join(dir, 'tokens.json')} copied into DIR there:\n` +
        `  node bench/load.ts --url http://SERVER:8080 --prepared DIR [--steps ${steps.join(',')}]\n`,
    );
    process.exit(0);
  }
  await benchLoad({
    steps,
    seconds: Number(values.seconds),
    restSeconds: Number(values.rest),
    workers: Number(values.workers),
    fullClients: values['full-clients'],
    trace: values.trace,
    stormSpreadMs: Number(values.storm),
    preparedDir: values.prepared ?? null,
    url: values.url ? new URL(values.url).origin : null,
    kioskIntervalMs: Number(values['kiosk-interval']),
    calledMs: Number(values.called),
    servingMs: Number(values.serving),
    idleMs: Number(values.idle),
  });
}
