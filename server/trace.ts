// A diagnostic trace of the server's event loop, for finding out what a slow acknowledgement waited
// behind (HALL_TRACE_FILE; off unless set). One JSON object per line, each with `at`, the moment it
// began in ms since the Unix epoch (performance.timeOrigin + performance.now(): comparable with another
// process's on the same machine, to well under a millisecond), and `ms`, how long it lasted:
//   { k: 'command', name, at, ms }  a command from reading it to handing over its acknowledgement
//   { k: 'commit', at, ms }         a commit: the transaction and its fsync
//   { k: 'http', route, at, ms }    an HTTP request, from its arrival to its answer sent (the route's
//                                   pattern, never the URL: a tracking token stays out)
//   { k: 'turn', at, ms, takeMs }   a turn of the broadcast sender (realtime.ts step): taking the
//                                   queued changes (counter terminals' messages and views), then shards
//   { k: 'gc', kind, at, ms }       a garbage-collection pause (kind: V8's, e.g. 'minor', 'major')
//   { k: 'stall', at, ms, waitCpuMs } the event loop came round `ms` late (more than STALL_MS); of that,
//                                   `waitCpuMs` the main thread was ready but waiting for a CPU (Linux
//                                   schedstat; absent elsewhere): the rest it ran something untraced
// Nothing personal goes in: command names and durations only. Lines are buffered and written by a
// stream (off the event loop) every FLUSH_MS, so tracing itself never waits for the disk; it costs a
// timer every STALL_TICK_MS and an object per entry. `bench/load.ts --trace` uses it to explain the
// slowest acknowledgements of each step.
import { createWriteStream } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { z } from 'zod';
import { runQueueWaitNs } from './timings.ts';

/** the stall detector's timer period, and the lateness past it that is written down (ms) */
export const STALL_TICK_MS = 1;
export const STALL_MS = 5;
const FLUSH_MS = 500;

const timed = { at: z.number(), ms: z.number().nonnegative() };
export const TraceEntry = z.discriminatedUnion('k', [
  z.object({ k: z.literal('command'), name: z.string(), ...timed }),
  z.object({ k: z.literal('commit'), ...timed }),
  z.object({ k: z.literal('http'), route: z.string(), ...timed }),
  z.object({ k: z.literal('turn'), takeMs: z.number().nonnegative(), ...timed }),
  z.object({ k: z.literal('gc'), kind: z.string(), ...timed }),
  z.object({ k: z.literal('stall'), waitCpuMs: z.number().nonnegative().optional(), ...timed }),
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

export interface Tracer {
  /** `started`: performance.now() when it began; the duration runs to now */
  command(name: string, started: number): void;
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

/** Starts tracing into `file` (appended to); null when `file` is undefined or empty. */
export function startTrace(file: string | undefined): Tracer | null {
  if (!file) return null;
  const out = createWriteStream(file, { flags: 'a' });
  let lines: string[] = [];
  const add = (e: TraceEntry) => lines.push(JSON.stringify(e));
  const flush = () => {
    if (lines.length === 0) return;
    out.write(lines.join('\n') + '\n');
    lines = [];
  };
  const flusher = setInterval(flush, FLUSH_MS);
  flusher.unref();

  let last = performance.now();
  let lastWaitNs = runQueueWaitNs();
  const stallTimer = setInterval(() => {
    const now = performance.now();
    const waitNs = lastWaitNs === null ? null : runQueueWaitNs();
    const late = now - last - STALL_TICK_MS;
    if (late > STALL_MS) {
      add({ k: 'stall', at: abs(last), ms: dur(late), ...(waitNs !== null && lastWaitNs !== null && { waitCpuMs: dur(Math.min(late, (waitNs - lastWaitNs) / 1e6)) }) });
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

  return {
    command: (name, started) => add({ k: 'command', name, at: abs(started), ms: dur(performance.now() - started) }),
    commit: (started) => add({ k: 'commit', at: abs(started), ms: dur(performance.now() - started) }),
    http: (route, started) => add({ k: 'http', route, at: abs(started), ms: dur(performance.now() - started) }),
    turn: (started, takeMs) => add({ k: 'turn', at: abs(started), ms: dur(performance.now() - started), takeMs: dur(takeMs) }),
    close() {
      clearInterval(flusher);
      clearInterval(stallTimer);
      gc.disconnect();
      flush();
      return new Promise((resolve) => out.end(resolve));
    },
  };
}
