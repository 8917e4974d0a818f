// What to do when a screen's page dies or hangs: reload with backoff, relaunch the app after a crash loop,
// and stop relaunching (showing a fault page that keeps retrying slowly) when relaunching does not help either.
import { backoffDelayMs, type BackoffOptions } from './backoff.ts';

export interface CrashPolicyOptions {
  /** crashes counted within this window */
  windowMs: number;
  /** more reloads than this within the window is a crash loop: relaunch the app */
  maxReloads: number;
  /** more relaunches than this within the window: give up relaunching, show the fault page */
  maxRelaunches: number;
  backoff: BackoffOptions;
  /** how often the fault page tries the screen again */
  faultRetryMs: number;
}

export const DEFAULT_CRASH_POLICY: CrashPolicyOptions = {
  windowMs: 10 * 60_000,
  maxReloads: 5,
  maxRelaunches: 3,
  backoff: { baseMs: 1_000, maxMs: 30_000, jitter: 0.2 },
  faultRetryMs: 5 * 60_000,
};

export type CrashDecision =
  | { action: 'reload'; delayMs: number; attempt: number }
  | { action: 'relaunch' }
  | { action: 'fault'; retryMs: number };

/** Pure: decides from the recent crash and relaunch times. The caller records them (relaunches survive in a file). */
export function decideAfterCrash(
  recentCrashes: readonly number[],
  recentRelaunches: readonly number[],
  now: number,
  options: CrashPolicyOptions = DEFAULT_CRASH_POLICY,
  random: () => number = Math.random,
): CrashDecision {
  const inWindow = (t: number) => now - t < options.windowMs && t <= now;
  const crashes = recentCrashes.filter(inWindow).length;
  if (crashes <= options.maxReloads) {
    const attempt = Math.max(0, crashes - 1);
    return { action: 'reload', delayMs: backoffDelayMs(attempt, options.backoff, random), attempt };
  }
  if (recentRelaunches.filter(inWindow).length < options.maxRelaunches) return { action: 'relaunch' };
  return { action: 'fault', retryMs: options.faultRetryMs };
}

/** Keeps the crash times of one screen's page in memory and asks the policy what to do. */
export class CrashTracker {
  private crashes: number[] = [];
  private readonly options: CrashPolicyOptions;
  private readonly random: () => number;

  constructor(options: CrashPolicyOptions = DEFAULT_CRASH_POLICY, random: () => number = Math.random) {
    this.options = options;
    this.random = random;
  }

  crashed(now: number, recentRelaunches: readonly number[]): CrashDecision {
    this.crashes = [...this.crashes.filter((t) => now - t < this.options.windowMs), now];
    return decideAfterCrash(this.crashes, recentRelaunches, now, this.options, this.random);
  }

  /** A page that stayed up for a whole window has healed: start counting again. */
  healthy(now: number): void {
    this.crashes = this.crashes.filter((t) => now - t < this.options.windowMs);
  }

  get count(): number {
    return this.crashes.length;
  }
}

/** Relaunch times that must survive the relaunch itself; stored as JSON in the app's data folder. */
export function parseRelaunchJournal(text: string | null, now: number, windowMs: number): number[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value.filter((t): t is number => typeof t === 'number' && Number.isFinite(t) && now - t < windowMs && t <= now);
  } catch {
    return [];
  }
}
