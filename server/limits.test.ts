import { describe, expect, it } from 'vitest';
import {
  ConnectionLimits,
  RateLimiter,
  SIGN_IN_LOCK_MS,
  SIGN_IN_MAX_FAILURES,
  SIGN_IN_MAX_FAILURES_ANYWHERE,
  SIGN_IN_RECORDS_KEPT,
  SIGN_IN_WINDOW_MS,
  SignInGuard,
  type SignInAttempt,
} from './limits.ts';

const wrong = async () => false;
const right = async () => true;
/** a password check that takes a while, as scrypt does */
const slow = (ok: boolean) => () => new Promise<boolean>((resolve) => setTimeout(() => resolve(ok), 5));

describe('SignInGuard', () => {
  it(`locks a login at one terminal after ${SIGN_IN_MAX_FAILURES} wrong passwords, refuses the right one, and lets it go after the lock`, async () => {
    let now = 1_000_000;
    const guard = new SignInGuard(() => now);
    for (let i = 0; i < SIGN_IN_MAX_FAILURES; i++) expect(await guard.attempt('t1', 'clerk1', wrong)).toBe('failed');
    expect(await guard.attempt('t1', 'clerk1', right)).toBe('locked');
    expect(await guard.attempt('t2', 'clerk1', right)).toBe('ok'); // the clerk's own terminal is not locked by guesses elsewhere
    expect(await guard.attempt('t1', 'clerk2', right)).toBe('ok');
    now += SIGN_IN_LOCK_MS + 1;
    expect(await guard.attempt('t1', 'clerk1', right)).toBe('ok');
  });

  it('counts guesses sent together one after another, so only the allowed number is ever checked', async () => {
    const guard = new SignInGuard(() => 1_000_000);
    let checked = 0;
    const check = (ok: boolean) => () => {
      checked += 1;
      return slow(ok)();
    };
    const answers = await Promise.all([
      ...Array.from({ length: 30 }, () => guard.attempt('t1', 'clerk1', check(false))),
      guard.attempt('t1', 'clerk1', check(true)),
    ]);
    expect(answers.filter((a) => a === 'failed')).toHaveLength(SIGN_IN_MAX_FAILURES);
    expect(answers.at(-1)).toBe('locked');
    expect(checked).toBe(SIGN_IN_MAX_FAILURES);
  });

  it(`locks a login everywhere after ${SIGN_IN_MAX_FAILURES_ANYWHERE} wrong passwords from all terminals together, and a right one in between does not reset that`, async () => {
    const guard = new SignInGuard(() => 1_000_000);
    const results: SignInAttempt[] = [];
    for (let i = 0; i < SIGN_IN_MAX_FAILURES_ANYWHERE; i++) {
      results.push(await guard.attempt(`t${i % 10}`, 'clerk1', wrong));
      if (i === 10) expect(await guard.attempt('own', 'clerk1', right)).toBe('ok');
    }
    expect(results.every((r) => r === 'failed')).toBe(true);
    expect(await guard.attempt('own', 'clerk1', right)).toBe('locked');
    expect(await guard.attempt('other', 'clerk2', right)).toBe('ok');
  });

  it('forgets failures older than the window', async () => {
    let now = 1_000_000;
    const guard = new SignInGuard(() => now);
    for (let i = 0; i < SIGN_IN_MAX_FAILURES - 1; i++) await guard.attempt('t1', 'clerk1', wrong);
    now += SIGN_IN_WINDOW_MS + 1;
    expect(await guard.attempt('t1', 'clerk1', wrong)).toBe('failed');
    expect(await guard.attempt('t1', 'clerk1', right)).toBe('ok');
  });

  it('keeps its memory bounded without ever dropping a lock', async () => {
    const now = 1_000_000;
    const guard = new SignInGuard(() => now);
    for (let i = 0; i < SIGN_IN_MAX_FAILURES; i++) await guard.attempt('t1', 'clerk1', wrong);
    for (let i = 0; i < SIGN_IN_RECORDS_KEPT + 10; i++) await guard.attempt('t9', `spray-${i}`, wrong);
    expect(guard.size).toBeLessThanOrEqual(SIGN_IN_RECORDS_KEPT + 2);
    expect(guard.isLocked('t1', 'clerk1')).toBe(true);
    expect(await guard.attempt('t1', 'clerk1', right)).toBe('locked');
  });

  it('answers an attempt whose check throws as a rejection, and the next attempt still runs', async () => {
    const guard = new SignInGuard(() => 1_000_000);
    await expect(guard.attempt('t1', 'clerk1', () => Promise.reject(new Error('scrypt failed')))).rejects.toThrow('scrypt failed');
    expect(await guard.attempt('t1', 'clerk1', right)).toBe('ok');
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then refills at its rate, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now += 500; // one token back
    expect([limiter.take('a'), limiter.take('a')]).toEqual([true, false]);
  });
});

describe('ConnectionLimits', () => {
  it('admits up to the cap of open connections per device, and again once one closes', () => {
    let now = 1_000_000;
    const limits = new ConnectionLimits(3, () => now);
    for (let i = 0; i < 3; i++) expect(limits.admit('d1')).toBe(true);
    expect(limits.admit('d1')).toBe(false);
    expect(limits.admit('d2')).toBe(true); // another device is not affected
    now += 10_000; // the connect budget is back: the cap alone refuses
    expect(limits.admit('d1')).toBe(false);
    limits.closed('d1');
    expect(limits.openCount('d1')).toBe(2);
    expect(limits.admit('d1')).toBe(true);
  });

  it('spends a connect budget of the cap, refilled over 10 s, so a reconnect loop is slowed down', () => {
    let now = 1_000_000;
    const limits = new ConnectionLimits(4, () => now);
    // every screen of the token reconnects at once (after a server restart): all admitted
    for (let i = 0; i < 4; i++) {
      expect(limits.admit('d1')).toBe(true);
      limits.closed('d1');
    }
    // a client that connects and drops in a loop: nothing is open, yet the budget is spent
    expect(limits.admit('d1')).toBe(false);
    now += 2_500; // a quarter of 10 s: one connect back
    expect(limits.admit('d1')).toBe(true);
    limits.closed('d1');
    expect(limits.admit('d1')).toBe(false);
  });

  it('refuses a cap that is not a positive whole number', () => {
    expect(() => new ConnectionLimits(0)).toThrow(/positive whole number/);
    expect(() => new ConnectionLimits(2.5)).toThrow(/positive whole number/);
  });
});
