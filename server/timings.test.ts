import { afterEach, describe, expect, it } from 'vitest';
import { LatencyWindow, startServerTimings, type ServerTimings } from './timings.ts';

describe('LatencyWindow', () => {
  it('has no summary before the first value', () => {
    expect(new LatencyWindow(4).summary()).toBeNull();
  });

  it('gives nearest-rank percentiles of the values kept', () => {
    const w = new LatencyWindow(100);
    for (let i = 100; i >= 1; i--) w.record(i); // recorded out of order
    expect(w.summary()).toEqual({ samples: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 });
  });

  it('keeps only the last `size` values but counts all of them', () => {
    const w = new LatencyWindow(3);
    for (const v of [500, 1, 2, 3]) w.record(v);
    expect(w.count).toBe(4);
    expect(w.summary()).toEqual({ samples: 3, p50Ms: 2, p99Ms: 3, maxMs: 3 });
  });

  it('answers again from what it computed until a value arrives', () => {
    const w = new LatencyWindow(4);
    w.record(2);
    const first = w.summary();
    expect(w.summary()).toEqual(first);
    w.record(8);
    expect(w.summary()).toEqual({ samples: 2, p50Ms: 2, p99Ms: 8, maxMs: 8 });
  });

  it('rounds to hundredths of a millisecond', () => {
    const w = new LatencyWindow(1);
    w.record(1.23456);
    expect(w.summary()?.maxMs).toBe(1.23);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new LatencyWindow(0)).toThrow(RangeError);
    expect(() => new LatencyWindow(1.5)).toThrow(RangeError);
  });
});

describe('startServerTimings', () => {
  let timings: ServerTimings | null = null;
  afterEach(() => {
    timings?.stop();
    timings = null;
  });

  it('reports the commits it is given and a delay for a loop that was blocked', async () => {
    const commits = new LatencyWindow(8);
    commits.record(4);
    timings = startServerTimings(commits, { loopWindowMs: 200 });
    await new Promise((r) => setTimeout(r, 20));
    const blockedUntil = Date.now() + 30;
    while (Date.now() < blockedUntil); // hold the event loop for 30 ms
    await new Promise((r) => setTimeout(r, 300)); // past one full window
    const view = timings.view();
    expect(view.commits).toEqual({ samples: 1, p50Ms: 4, p99Ms: 4, maxMs: 4 });
    expect(view.commitsSinceStart).toBe(1);
    expect(view.eventLoopDelay).not.toBeNull();
    expect(view.eventLoopDelay!.maxMs).toBeGreaterThanOrEqual(25);
  });
});
