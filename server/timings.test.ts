import { afterEach, describe, expect, it } from 'vitest';
import { CommandTimes, LatencyWindow, mainThreadSince, parseSchedStat, runQueueWaitNs, startServerTimings, type ServerTimings } from './timings.ts';

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

describe('CommandTimes', () => {
  it('keeps a window per command and lists only the commands that ran, in name order', () => {
    const times = new CommandTimes();
    expect(times.view()).toEqual({});
    times.record('ticket:issue', 3);
    times.record('counter:call-next', 9);
    times.record('ticket:issue', 5);
    expect(Object.keys(times.view())).toEqual(['counter:call-next', 'ticket:issue']);
    expect(times.view()['ticket:issue']).toEqual({ samples: 2, p50Ms: 3, p99Ms: 5, maxMs: 5 });
    expect(times.view()['counter:call-next']).toEqual({ samples: 1, p50Ms: 9, p99Ms: 9, maxMs: 9 });
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
    const commands = new CommandTimes();
    commands.record('ticket:issue', 2);
    timings = startServerTimings(commits, { commands, loopWindowMs: 200 });
    await new Promise((r) => setTimeout(r, 20));
    const blockedUntil = Date.now() + 30;
    while (Date.now() < blockedUntil); // hold the event loop for 30 ms
    await new Promise((r) => setTimeout(r, 300)); // past one full window
    const view = timings.view();
    expect(view.commits).toEqual({ samples: 1, p50Ms: 4, p99Ms: 4, maxMs: 4 });
    expect(view.commitsSinceStart).toBe(1);
    expect(view.commands).toEqual({ 'ticket:issue': { samples: 1, p50Ms: 2, p99Ms: 2, maxMs: 2 } });
    expect(view.eventLoopDelay).not.toBeNull();
    expect(view.eventLoopDelay!.maxMs).toBeGreaterThanOrEqual(25);
  });

  it('reports the main thread only once a window has ended, with shares of that window', async () => {
    timings = startServerTimings(new LatencyWindow(1), { loopWindowMs: 200 });
    expect(timings.view().mainThread).toBeNull();
    const spinUntil = performance.now() + 120;
    while (performance.now() < spinUntil); // the main thread runs for most of the window
    await new Promise((r) => setTimeout(r, 150));
    const thread = timings.view().mainThread;
    expect(thread).not.toBeNull();
    expect(thread!.windowMs).toBeGreaterThanOrEqual(190); // the loop's clock is in whole milliseconds
    expect(thread!.cpuShare).toBeGreaterThan(0);
    expect(thread!.cpuShare).toBeLessThanOrEqual(1);
    if (process.platform === 'linux') {
      expect(thread!.runQueueShare).not.toBeNull();
      expect(thread!.runQueueShare!).toBeGreaterThanOrEqual(0);
      expect(thread!.runQueueShare!).toBeLessThanOrEqual(1);
    }
  });
});

describe('main-thread shares', () => {
  const mark = (at: number, cpuMs: number, waitedMs: number | null) => ({
    at,
    cpu: { user: cpuMs * 600, system: cpuMs * 400 }, // µs, split between user and system time
    waitedNs: waitedMs === null ? null : waitedMs * 1e6,
  });

  it('divides CPU time and run-queue wait by the wall time between two marks', () => {
    expect(mainThreadSince(mark(1_000, 50, 10), mark(11_000, 3_050, 510))).toEqual({ windowMs: 10_000, cpuShare: 0.3, runQueueShare: 0.05 });
  });

  it('has no run-queue share where the system does not report one', () => {
    expect(mainThreadSince(mark(0, 0, null), mark(1_000, 250, null))).toEqual({ windowMs: 1_000, cpuShare: 0.25, runQueueShare: null });
  });

  it('has nothing to say about an empty window', () => {
    expect(mainThreadSince(mark(5, 0, 0), mark(5, 0, 0))).toBeNull();
  });

  it('reads the wait from the second field of schedstat, and null when the file cannot be read', () => {
    expect(runQueueWaitNs(() => '8123456 2345678 901\n')).toBe(2_345_678);
    expect(
      runQueueWaitNs(() => {
        throw new Error('ENOENT');
      }),
    ).toBeNull();
    expect(runQueueWaitNs(() => 'garbage')).toBeNull();
    expect(parseSchedStat('8123456 2345678 901\n')).toEqual({ runNs: 8_123_456, waitNs: 2_345_678 });
    expect(parseSchedStat('8123456')).toBeNull();
    if (process.platform === 'linux') expect(runQueueWaitNs()).toBeGreaterThanOrEqual(0);
  });
});
