import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { refreshSchedule } from './refresh-schedule.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** a request that takes `ms` to answer */
function counter(ms = 0) {
  const runs: number[] = [];
  const run = () => {
    runs.push(Date.now());
    return ms === 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, ms));
  };
  return { runs, run };
}

describe('refreshSchedule', () => {
  it('asks at once, then every everyMs while nothing changes', async () => {
    const { runs, run } = counter();
    const start = Date.now();
    const s = refreshSchedule(run, 5_000, 300);
    await vi.advanceTimersByTimeAsync(10_100);
    expect(runs.map((t) => t - start)).toEqual([0, 5_000, 10_000]);
    s.stop();
  });

  it('asks afterChangeMs after a change, and a hall that changes every 250 ms does not put it off', async () => {
    const { runs, run } = counter(20);
    const s = refreshSchedule(run, 5_000, 300);
    await vi.advanceTimersByTimeAsync(50);
    const before = runs.length;
    for (let i = 0; i < 40; i++) {
      s.changed();
      await vi.advanceTimersByTimeAsync(250);
    }
    // 10 s of changes: about one request every 300–550 ms, not none
    expect(runs.length - before).toBeGreaterThanOrEqual(18);
    const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(600);
    s.stop();
  });

  it('asks again shortly after a request answered when the hall changed while it was on its way', async () => {
    const { runs, run } = counter(1_000);
    const start = Date.now();
    const s = refreshSchedule(run, 5_000, 300);
    await vi.advanceTimersByTimeAsync(500);
    s.changed(); // during the first request
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs.map((t) => t - start)).toEqual([0, 1_300]);
    s.stop();
  });

  it('asks nothing more once stopped, and goes on after a failed request', async () => {
    let calls = 0;
    const s = refreshSchedule(
      async () => {
        calls++;
        throw new Error('refused');
      },
      1_000,
      300,
    );
    await vi.advanceTimersByTimeAsync(2_500);
    expect(calls).toBe(3);
    s.stop();
    s.changed();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(3);
  });
});
