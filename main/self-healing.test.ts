import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.ts';
import { CrashTracker, decideAfterCrash, DEFAULT_CRASH_POLICY, parseRelaunchJournal, type CrashPolicyOptions } from './crash-policy.ts';
import { waitForServer } from './server-watch.ts';
import { Watchdog } from './watchdog.ts';

const noJitter = () => 0;
const policy: CrashPolicyOptions = { ...DEFAULT_CRASH_POLICY, backoff: { baseMs: 1_000, maxMs: 30_000, jitter: 0.2 } };
const MIN = 60_000;

describe('backoff', () => {
  it('doubles from the base up to the cap', () => {
    const options = { baseMs: 1_000, maxMs: 30_000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6, 40].map((a) => backoffDelayMs(a, options))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('jitter only shortens a delay, by at most its share', () => {
    const options = { baseMs: 1_000, maxMs: 30_000, jitter: 0.3 };
    expect(backoffDelayMs(2, options, () => 0.999_999)).toBe(2_800);
    expect(backoffDelayMs(2, options, () => 0)).toBe(4_000);
  });
});

describe('crash policy', () => {
  it('reloads with growing delays, then relaunches after a crash loop, then gives up relaunching', () => {
    const tracker = new CrashTracker(policy, noJitter);
    const decisions = [0, 1, 2, 3, 4].map((i) => tracker.crashed(i * 1_000, []));
    expect(decisions).toEqual([
      { action: 'reload', delayMs: 1_000, attempt: 0 },
      { action: 'reload', delayMs: 2_000, attempt: 1 },
      { action: 'reload', delayMs: 4_000, attempt: 2 },
      { action: 'reload', delayMs: 8_000, attempt: 3 },
      { action: 'reload', delayMs: 16_000, attempt: 4 },
    ]);
    expect(tracker.crashed(5_000, [])).toEqual({ action: 'relaunch' });
    expect(tracker.crashed(6_000, [1_000, 2_000])).toEqual({ action: 'relaunch' });
    expect(tracker.crashed(7_000, [1_000, 2_000, 3_000])).toEqual({ action: 'fault', retryMs: policy.faultRetryMs });
  });

  it('forgets crashes and relaunches older than the window', () => {
    const now = 100 * MIN;
    const old = [now - 11 * MIN, now - 12 * MIN, now - 13 * MIN, now - 14 * MIN, now - 15 * MIN, now - 16 * MIN];
    expect(decideAfterCrash([...old, now], [], now, policy, noJitter)).toEqual({ action: 'reload', delayMs: 1_000, attempt: 0 });
    const loop = [now - 5, now - 4, now - 3, now - 2, now - 1, now];
    expect(decideAfterCrash(loop, [now - 20 * MIN, now - 30 * MIN, now - 40 * MIN], now, policy, noJitter)).toEqual({ action: 'relaunch' });
  });

  it('a page that stays up heals: the next crash starts from the shortest delay', () => {
    const tracker = new CrashTracker(policy, noJitter);
    tracker.crashed(0, []);
    tracker.crashed(1_000, []);
    tracker.healthy(20 * MIN);
    expect(tracker.count).toBe(0);
    expect(tracker.crashed(20 * MIN, [])).toEqual({ action: 'reload', delayMs: 1_000, attempt: 0 });
  });

  it('reads the relaunch journal defensively', () => {
    const now = 100 * MIN;
    expect(parseRelaunchJournal(JSON.stringify([now - MIN, now - 20 * MIN, 'x', now + MIN]), now, 10 * MIN)).toEqual([now - MIN]);
    expect(parseRelaunchJournal('{broken', now, 10 * MIN)).toEqual([]);
    expect(parseRelaunchJournal(null, now, 10 * MIN)).toEqual([]);
  });
});

describe('watchdog', () => {
  it('notices a page whose heartbeat stopped, once per freeze', () => {
    const dog = new Watchdog({ timeoutMs: 30_000 });
    expect(dog.check(1_000_000)).toBe(false); // not armed: nothing to watch yet
    dog.arm(0);
    dog.beat(10_000);
    expect(dog.check(39_999)).toBe(false);
    expect(dog.check(40_000)).toBe(true);
    expect(dog.check(80_000)).toBe(false);
    dog.arm(100_000);
    dog.beat(120_000);
    dog.beat(140_000);
    expect(dog.check(165_000)).toBe(false);
    expect(dog.check(170_000)).toBe(true);
  });

  it('sleeps while disarmed, and a late beat does not wake it', () => {
    const dog = new Watchdog({ timeoutMs: 30_000 });
    dog.arm(0);
    dog.disarm();
    dog.beat(1_000);
    expect(dog.check(100_000)).toBe(false);
  });
});

describe('reconnecting to the server', () => {
  it('keeps trying with backoff until the server answers', async () => {
    const delays: number[] = [];
    let attempts = 0;
    const up = await waitForServer(
      {
        isUp: async () => ++attempts > 7,
        sleep: async (ms) => {
          delays.push(ms);
        },
        random: noJitter,
      },
      { baseMs: 1_000, maxMs: 30_000, jitter: 0.3 },
    );
    expect(up).toBe(true);
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('stops only when aborted', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const up = await waitForServer({
      isUp: async () => {
        if (++attempts === 3) controller.abort();
        return false;
      },
      sleep: async () => {},
      signal: controller.signal,
    });
    expect(up).toBe(false);
    expect(attempts).toBe(3);
  });
});
