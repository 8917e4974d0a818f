// How long the server takes where a hall would notice: each commit (the transaction and its fsync,
// which every acknowledgement waits for) and the event loop's delay (how long anything that arrives
// waits for the loop). GET /api/v1/health reports both, so an operator can tell a slow disk from a
// busy server, and the load bench can split an acknowledgement's latency into its parts.
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import type { LatencySummary, ServerTimingsView } from '../shared/protocol.ts';

/** commits kept for the percentiles */
export const COMMIT_WINDOW = 1_024;
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

export interface ServerTimings {
  view(): ServerTimingsView;
  stop(): void;
}

/** `commits`: the hall's commit durations (Hall.commitTimes). */
export function startServerTimings(commits: LatencyWindow, options: { loopWindowMs?: number } = {}): ServerTimings {
  // resolution 1 ms: the timer that samples the loop fires every millisecond
  const loop: ELDHistogram = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let lastWindow: LatencySummary | null = null;
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
  }, options.loopWindowMs ?? LOOP_WINDOW_MS);
  rotate.unref();
  return {
    view: () => ({ commits: commits.summary(), commitsSinceStart: commits.count, eventLoopDelay: lastWindow ?? summarise(loop) }),
    stop() {
      clearInterval(rotate);
      loop.disable();
    },
  };
}
