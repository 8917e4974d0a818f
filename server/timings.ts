// How long the server takes where a hall would notice: each command from the moment the server reads
// it to its acknowledgement (what a kiosk or a clerk waits for, less the network and the wait for the
// event loop), each commit (the transaction and its fsync, which every acknowledgement waits for), the
// event loop's delay (how long anything that arrives waits for the loop), and the main thread's own use
// of the CPU and its wait for one (how long it was ready to run while other threads or processes had the
// cores). GET /api/v1/health reports them, so
// an operator can tell a slow disk from a busy server from a crowded machine, and the load bench can
// split an acknowledgement's latency into its parts.
import { openSync, readFileSync, readSync } from 'node:fs';
import { monitorEventLoopDelay, performance, type ELDHistogram } from 'node:perf_hooks';
import type { LatencySummary, MainThreadView, ServerTimingsView } from '../shared/protocol.ts';

/** commits kept for the percentiles */
export const COMMIT_WINDOW = 1_024;
/** acknowledgements kept for the percentiles, per command */
export const COMMAND_WINDOW = 1_024;
/** the event-loop histogram covers at most this long; the last full window is reported */
export const LOOP_WINDOW_MS = 10_000;

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The last `size` durations (ms) in a ring, and how many were ever recorded. */
export class LatencyWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  count = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`LatencyWindow size must be a positive integer, not ${size}`);
    this.values = new Float64Array(size);
  }

  record(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled += 1;
    this.count += 1;
  }

  /**
   * Nearest-rank percentiles over the values kept; null before the first one. Sorted once per new
   * value at most (a public route asks for it, as often as anyone likes).
   */
  summary(): LatencySummary | null {
    if (this.filled === 0) return null;
    if (this.cached?.count !== this.count) {
      const sorted = this.values.slice(0, this.filled).sort();
      const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
      const summary = { samples: sorted.length, p50Ms: round(rank(0.5)), p99Ms: round(rank(0.99)), maxMs: round(sorted[sorted.length - 1]!) };
      this.cached = { count: this.count, summary };
    }
    return { ...this.cached.summary };
  }

  private cached: { count: number; summary: LatencySummary } | null = null;
}

/** The last COMMAND_WINDOW durations of each command, by its event name (a fixed set: unknown events never get here). */
export class CommandTimes {
  private readonly windows = new Map<string, LatencyWindow>();

  record(command: string, ms: number): void {
    let window = this.windows.get(command);
    if (!window) this.windows.set(command, (window = new LatencyWindow(COMMAND_WINDOW)));
    window.record(ms);
  }

  /** every command that ran at least once, by name, in name order */
  view(): Record<string, LatencySummary> {
    const view: Record<string, LatencySummary> = {};
    for (const name of [...this.windows.keys()].sort()) view[name] = this.windows.get(name)!.summary()!;
    return view;
  }
}

/**
 * A Linux thread's schedstat line (/proc/<pid>/task/<tid>/schedstat): nanoseconds on a CPU, then
 * nanoseconds ready to run but waiting on a run queue while another thread had the CPU.
 */
export function parseSchedStat(text: string): { runNs: number; waitNs: number } | null {
  const [run, wait] = text.split(' ').map(Number);
  return Number.isFinite(run) && Number.isFinite(wait) ? { runNs: run!, waitNs: wait! } : null;
}

/** the calling thread's schedstat (Linux) */
const THREAD_SCHEDSTAT = '/proc/thread-self/schedstat';

/** Nanoseconds the calling thread has waited on a run queue; null where there is no schedstat file. */
export function runQueueWaitNs(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number | null {
  try {
    return parseSchedStat(read(THREAD_SCHEDSTAT))?.waitNs ?? null;
  } catch {
    return null;
  }
}

/**
 * runQueueWaitNs for a caller that asks every millisecond (server/trace.ts): the calling thread's schedstat
 * file is opened once and read in place (one pread). Null where there is none (not Linux).
 */
export function runQueueWaitReader(): (() => number | null) | null {
  let fd: number;
  try {
    fd = openSync(THREAD_SCHEDSTAT, 'r');
  } catch {
    return null;
  }
  const buf = Buffer.alloc(128);
  return () => runQueueWaitNs(() => buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0)));
}

/** The main thread's CPU time and run-queue wait since `start`, as shares of the wall time. */
export function mainThreadSince(start: MainThreadMark, end: MainThreadMark): MainThreadView | null {
  const wallMs = end.at - start.at;
  if (wallMs <= 0) return null;
  const cpuMs = (end.cpu.user - start.cpu.user + end.cpu.system - start.cpu.system) / 1_000;
  const share = (ms: number) => Math.round((ms / wallMs) * 1_000) / 1_000;
  return {
    windowMs: Math.round(wallMs),
    cpuShare: share(cpuMs),
    runQueueShare: start.waitedNs === null || end.waitedNs === null ? null : share((end.waitedNs - start.waitedNs) / 1e6),
  };
}

export interface MainThreadMark {
  at: number;
  cpu: NodeJS.CpuUsage;
  waitedNs: number | null;
}

const markMainThread = (): MainThreadMark => ({ at: performance.now(), cpu: process.threadCpuUsage(), waitedNs: runQueueWaitNs() });

export interface ServerTimings {
  view(): ServerTimingsView;
  stop(): void;
}

/** `commits`: the hall's commit durations (Hall.commitTimes); `commands`: its commands' (Hall.commandTimes). */
export function startServerTimings(
  commits: LatencyWindow,
  options: { commands?: CommandTimes; loopWindowMs?: number } = {},
): ServerTimings {
  const commands = options.commands ?? new CommandTimes();
  // resolution 1 ms: the timer that samples the loop fires every millisecond
  const loop: ELDHistogram = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let lastWindow: LatencySummary | null = null;
  // the main thread's figures are taken on the main thread (timers run there), once per window
  let windowStart = markMainThread();
  let lastThread: MainThreadView | null = null;
  const summarise = (h: ELDHistogram): LatencySummary | null =>
    h.count === 0
      ? null
      : {
          samples: h.count,
          // the histogram measures the delay beyond the 1 ms timer, in nanoseconds
          p50Ms: round(h.percentile(50) / 1e6),
          p99Ms: round(h.percentile(99) / 1e6),
          maxMs: round(h.max / 1e6),
        };
  const rotate = setInterval(() => {
    lastWindow = summarise(loop);
    loop.reset();
    const now = markMainThread();
    lastThread = mainThreadSince(windowStart, now);
    windowStart = now;
  }, options.loopWindowMs ?? LOOP_WINDOW_MS);
  rotate.unref();
  return {
    view: () => ({
      commands: commands.view(),
      commits: commits.summary(),
      commitsSinceStart: commits.count,
      eventLoopDelay: lastWindow ?? summarise(loop),
      mainThread: lastThread,
    }),
    stop() {
      clearInterval(rotate);
      loop.disable();
    },
  };
}
