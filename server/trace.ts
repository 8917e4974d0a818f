// A diagnostic trace of the server's event loop, for finding out what a slow acknowledgement waited
// behind (HALL_TRACE_FILE; off unless set). One JSON object per line, each with `at`, the moment it
// began in ms since the Unix epoch (performance.timeOrigin + performance.now(): comparable with another
// process's on the same machine, to well under a millisecond), and `ms`, how long it lasted:
//   { k: 'command', name, device, at, ms }  a command from reading it to handing over its
//                                   acknowledgement, and the id of the device that sent it
//   { k: 'commit', at, ms }         a commit: the transaction and its fsync
//   { k: 'http', route, at, ms }    an HTTP request, from its arrival to its answer ready to send (the
//                                   route's pattern, never the URL: a tracking token stays out)
//   { k: 'turn', at, ms, takeMs }   a turn of the broadcast sender (realtime.ts step): taking the
//                                   queued changes (counter terminals' messages and views), then shards
//   { k: 'gc', kind, at, ms }       a garbage-collection pause (kind: V8's, e.g. 'minor', 'major')
//   { k: 'stall', at, ms, waitCpuMs } the event loop came round `ms` late (more than STALL_MS); of that,
//                                   `waitCpuMs` the main thread was ready but waiting for a CPU (Linux
//                                   schedstat; absent elsewhere): the rest it ran something untraced
//   { k: 'dropped', lines, at, ms: 0 } lines left out because the disk did not keep up
// Nothing personal goes in: names, device ids and durations only. Lines are buffered and written by a
// stream (off the event loop) every FLUSH_MS, so tracing itself never waits for the disk; it costs a
// timer every STALL_TICK_MS that reads the thread's schedstat (one pread of a file kept open) and an
// object per entry. `bench/load.ts --trace` uses it to explain the slowest acknowledgements of each step.
import { createWriteStream, openSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { z } from 'zod';
import { runQueueWaitReader } from './timings.ts';

/** the stall detector's timer period, and the lateness past it that is written down (ms) */
export const STALL_TICK_MS = 1;
export const STALL_MS = 2;
const FLUSH_MS = 500;
/** bytes waiting for the disk past which new lines are dropped (and counted in a 'dropped' entry) */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

const timed = { at: z.number(), ms: z.number().nonnegative() };
export const TraceEntry = z.discriminatedUnion('k', [
  z.object({ k: z.literal('command'), name: z.string(), device: z.string(), ...timed }),
  z.object({ k: z.literal('commit'), ...timed }),
  z.object({ k: z.literal('http'), route: z.string(), ...timed }),
  z.object({ k: z.literal('turn'), takeMs: z.number().nonnegative(), ...timed }),
  z.object({ k: z.literal('gc'), kind: z.string(), ...timed }),
  z.object({ k: z.literal('stall'), waitCpuMs: z.number().nonnegative().optional(), ...timed }),
  z.object({ k: z.literal('dropped'), lines: z.number().int().positive(), ...timed }),
]);
export type TraceEntry = z.infer<typeof TraceEntry>;

/** The entries of a trace file's text, in time order; lines that are not entries (a line cut short by a kill) are skipped. */
export function readTrace(text: string): TraceEntry[] {
  const entries: TraceEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = TraceEntry.safeParse(value);
    if (parsed.success) entries.push(parsed.data);
  }
  return entries.sort((a, b) => a.at - b.at);
}

/** Each recording method takes `started`, performance.now() when the thing began; its duration runs to now. */
export interface Tracer {
  /** `device`: the id of the device that sent it (not personal: a kiosk's or terminal's id) */
  command(name: string, device: string, started: number): void;
  commit(started: number): void;
  http(route: string, started: number): void;
  turn(started: number, takeMs: number): void;
  /** writes what is buffered and closes the file */
  close(): Promise<void>;
}

const GC_KINDS = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

const abs = (t: number) => Math.round((performance.timeOrigin + t) * 1000) / 1000;
const dur = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Starts tracing into `file` (appended to); null when `file` is undefined or empty. Throws when the file
 * cannot be opened (a wrong path is told at start-up). A write that fails later (the disk full) stops
 * the trace and is told to `onError` once; the server carries on.
 */
export function startTrace(file: string | undefined, onError: (err: Error) => void = () => {}): Tracer | null {
  if (!file) return null;
  const out = createWriteStream('', { fd: openSync(file, 'a') });
  let on = true;
  let lines: string[] = [];
  let dropped = 0;
  const add = (e: TraceEntry) => {
    if (on) lines.push(JSON.stringify(e));
  };
  const flush = () => {
    if (lines.length === 0) return;
    // a disk that does not keep up: drop the lines rather than hold them in memory, and say how many
    if (out.writableLength > MAX_PENDING_BYTES) {
      dropped += lines.length;
    } else {
      if (dropped > 0) lines.push(JSON.stringify({ k: 'dropped', lines: dropped, at: abs(performance.now()), ms: 0 } satisfies TraceEntry));
      dropped = 0;
      out.write(lines.join('\n') + '\n');
    }
    lines = [];
  };
  const flusher = setInterval(flush, FLUSH_MS);
  flusher.unref();

  // a turn of the loop due at `last + STALL_TICK_MS` that came `late` ms after that
  const readWait = runQueueWaitReader(); // this thread's: startTrace runs on the main thread
  let last = performance.now();
  let lastWaitNs = readWait?.() ?? null;
  const stallTimer = setInterval(() => {
    const now = performance.now();
    const waitNs = readWait?.() ?? null;
    const late = now - last - STALL_TICK_MS;
    if (late > STALL_MS) {
      const waited = waitNs !== null && lastWaitNs !== null ? { waitCpuMs: dur(Math.min(late, Math.max(0, waitNs - lastWaitNs) / 1e6)) } : {};
      add({ k: 'stall', at: abs(last + STALL_TICK_MS), ms: dur(late), ...waited });
    }
    last = now;
    lastWaitNs = waitNs;
  }, STALL_TICK_MS);
  stallTimer.unref();

  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      // gc entries carry { kind, flags } in `detail` (Node ≥ 16), which the PerformanceEntry type does not declare
      const detail: unknown = Reflect.get(e, 'detail');
      const kind = typeof detail === 'object' && detail !== null ? Reflect.get(detail, 'kind') : undefined;
      add({ k: 'gc', kind: (typeof kind === 'number' && GC_KINDS.get(kind)) || String(kind), at: abs(e.startTime), ms: dur(e.duration) });
    }
  });
  gc.observe({ entryTypes: ['gc'] });

  const stop = () => {
    on = false;
    clearInterval(flusher);
    clearInterval(stallTimer);
    gc.disconnect();
  };
  out.on('error', (err) => {
    if (!on) return;
    stop();
    lines = [];
    onError(err);
  });

  return {
    command: (name, device, started) => add({ k: 'command', name, device, at: abs(started), ms: dur(performance.now() - started) }),
    commit: (started) => add({ k: 'commit', at: abs(started), ms: dur(performance.now() - started) }),
    http: (route, started) => add({ k: 'http', route, at: abs(started), ms: dur(performance.now() - started) }),
    turn: (started, takeMs) => add({ k: 'turn', at: abs(started), ms: dur(performance.now() - started), takeMs: dur(takeMs) }),
    close() {
      const open = on;
      flush();
      stop();
      if (!open || out.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        out.once('error', () => resolve());
        out.end(resolve);
      });
    },
  };
}
