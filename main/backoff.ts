// Exponential backoff with jitter, shared by page reloads and server reconnects.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0..1: how much of each delay is randomised, so a hall full of screens does not reconnect in step */
  jitter: number;
}

/**
 * Delay before attempt `attempt` (0-based): base·2^attempt, capped, less up to `jitter` of it.
 * @example backoffDelayMs(3, { baseMs: 1000, maxMs: 30_000, jitter: 0 }) === 8000
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = options.baseMs * 2 ** Math.min(Math.max(0, attempt), 30);
  const capped = Math.min(options.maxMs, exponential);
  return Math.round(capped * (1 - options.jitter * random()));
}
