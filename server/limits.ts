// Per-device rate limits and the staff sign-in lockout. In memory: a restart forgets them, which
// errs towards letting a hall keep working.

/** A token bucket per key: `burst` commands at once, refilled at `perSecond`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  readonly perSecond: number;
  readonly burst: number;
  private readonly clock: () => number;

  constructor(perSecond: number, burst: number, clock: () => number = Date.now) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.clock = clock;
  }

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean {
    const now = this.clock();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.buckets.clear(); // bounded memory against a token-spraying client
    return ok;
  }
}

export const DEFAULT_RATE_LIMIT = { perSecond: 30, burst: 60 };

export const SIGN_IN_MAX_FAILURES = 5;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_LOCK_MS = 15 * 60_000;

/** Locks a login for SIGN_IN_LOCK_MS after SIGN_IN_MAX_FAILURES wrong passwords within SIGN_IN_WINDOW_MS. */
export class SignInGuard {
  private readonly failures = new Map<string, { count: number; firstAt: number; lockedUntil: number }>();
  private readonly clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
  }

  isLocked(login: string): boolean {
    const f = this.failures.get(login);
    return f !== undefined && f.lockedUntil > this.clock();
  }

  recordFailure(login: string): void {
    const now = this.clock();
    let f = this.failures.get(login);
    if (!f || now - f.firstAt > SIGN_IN_WINDOW_MS) f = { count: 0, firstAt: now, lockedUntil: 0 };
    f.count += 1;
    if (f.count >= SIGN_IN_MAX_FAILURES) f.lockedUntil = now + SIGN_IN_LOCK_MS;
    this.failures.set(login, f);
    if (this.failures.size > 10_000) this.failures.clear();
  }

  recordSuccess(login: string): void {
    this.failures.delete(login);
  }
}
