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

/**
 * Connections one device token may hold open at once. A kiosk or a counter terminal needs one (two for
 * a moment while a dropped connection times out); a display token may serve several screens (the demo
 * hall's serves the hall display and every counter display). The cap bounds what a leaked token can
 * cost the server: each connection holds memory and costs a snapshot.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_DEVICE = 32;

/**
 * Socket connections per device: at most `max` open at once, and connecting spends a budget of `max`
 * connects refilled over 10 s, so every screen of a token may reconnect together (after a server
 * restart) but a client reconnecting in a loop is slowed down. A connection takes its place when it is
 * admitted (so connections arriving together cannot pass the cap) and gives it back with `closed`.
 */
export class ConnectionLimits {
  readonly max: number;
  private readonly open = new Map<string, number>();
  private readonly connects: RateLimiter;

  constructor(max: number, clock: () => number = Date.now) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`connections per device must be a positive whole number, not ${max}`);
    this.max = max;
    this.connects = new RateLimiter(max / 10, max, clock);
  }

  /** Whether `deviceId` may open one more connection now; when it may, it spends a connect and takes a place. */
  admit(deviceId: string): boolean {
    if (this.openCount(deviceId) >= this.max || !this.connects.take(deviceId)) return false;
    this.open.set(deviceId, this.openCount(deviceId) + 1);
    return true;
  }

  closed(deviceId: string): void {
    const n = this.openCount(deviceId) - 1;
    if (n > 0) this.open.set(deviceId, n);
    else this.open.delete(deviceId);
  }

  openCount(deviceId: string): number {
    return this.open.get(deviceId) ?? 0;
  }
}

export const SIGN_IN_MAX_FAILURES = 5;
/** wrong passwords for one login from all terminals together that lock it everywhere */
export const SIGN_IN_MAX_FAILURES_ANYWHERE = 20;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_LOCK_MS = 15 * 60_000;
/** failure records kept beyond the locked ones; the oldest unlocked go first */
export const SIGN_IN_RECORDS_KEPT = 10_000;

export type SignInAttempt = 'ok' | 'failed' | 'locked';

interface FailureRecord {
  count: number;
  firstAt: number;
  lockedUntil: number;
}

/**
 * The staff sign-in lockout. SIGN_IN_MAX_FAILURES wrong passwords for a login at one terminal within
 * SIGN_IN_WINDOW_MS lock that login at that terminal for SIGN_IN_LOCK_MS, so someone guessing at one
 * terminal cannot lock the clerk out of their own; SIGN_IN_MAX_FAILURES_ANYWHERE from all terminals
 * together lock it everywhere, so guessing from many terminals is bounded too. A right password
 * while locked is refused. Attempts for one login run one at a time (`attempt`): a password check
 * takes tens of milliseconds, and guesses sent together must not all pass the lock check before the
 * first failure is counted. Locked records are never dropped to make room; a right password clears
 * only its own terminal's count (the count from everywhere ages out, so a clerk signing in between
 * someone's guesses does not reset them).
 */
export class SignInGuard {
  private readonly records = new Map<string, FailureRecord>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
  }

  /** Runs `check` (true: the password is right) for `login` at `deviceId`, after every earlier attempt for the login. */
  attempt(deviceId: string, login: string, check: () => Promise<boolean>): Promise<SignInAttempt> {
    const previous = this.queues.get(login) ?? Promise.resolve();
    const run = previous.then(async (): Promise<SignInAttempt> => {
      if (this.isLocked(deviceId, login)) return 'locked';
      if (await check()) {
        this.records.delete(terminalKey(deviceId, login));
        return 'ok';
      }
      this.recordFailure(terminalKey(deviceId, login), SIGN_IN_MAX_FAILURES);
      this.recordFailure(anywhereKey(login), SIGN_IN_MAX_FAILURES_ANYWHERE);
      return 'failed';
    });
    const settled = run.catch(() => undefined);
    this.queues.set(login, settled);
    void settled.then(() => {
      if (this.queues.get(login) === settled) this.queues.delete(login);
    });
    return run;
  }

  isLocked(deviceId: string, login: string): boolean {
    const now = this.clock();
    return [terminalKey(deviceId, login), anywhereKey(login)].some((key) => (this.records.get(key)?.lockedUntil ?? 0) > now);
  }

  /** failure records held (locked or counting) */
  get size(): number {
    return this.records.size;
  }

  private recordFailure(key: string, max: number): void {
    const now = this.clock();
    let f = this.records.get(key);
    if (!f || (now - f.firstAt > SIGN_IN_WINDOW_MS && f.lockedUntil <= now)) f = { count: 0, firstAt: now, lockedUntil: 0 };
    f.count += 1;
    if (f.count >= max) f.lockedUntil = Math.max(f.lockedUntil, now + SIGN_IN_LOCK_MS);
    this.records.delete(key); // re-inserted last: the map's order is the order of last failure
    this.records.set(key, f);
    if (this.records.size > SIGN_IN_RECORDS_KEPT) this.prune(now);
  }

  /** Drops records that no longer count or lock, then the oldest unlocked ones; never a lock. */
  private prune(now: number): void {
    let unlocked = 0;
    for (const [key, f] of this.records) {
      if (f.lockedUntil > now) continue;
      if (now - f.firstAt > SIGN_IN_WINDOW_MS) this.records.delete(key);
      else unlocked += 1;
    }
    for (const [key, f] of this.records) {
      if (unlocked <= SIGN_IN_RECORDS_KEPT / 2) break;
      if (f.lockedUntil > now) continue;
      this.records.delete(key);
      unlocked -= 1;
    }
  }
}

const terminalKey = (deviceId: string, login: string) => `${deviceId}\u0000${login}`;
const anywhereKey = (login: string) => `*\u0000${login}`;
