// Waits for the hall server, forever, with backoff. Used when a screen cannot load its page
// (server restarting, network cable out): the screen shows the offline page until the server answers.
import { API_PREFIX, type HealthView } from '../shared/protocol.ts';
import { backoffDelayMs, type BackoffOptions } from './backoff.ts';

export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 30_000, jitter: 0.3 };
const HEALTH_TIMEOUT_MS = 5_000;

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** The server's health, or null when it does not answer as a hall server. */
export async function fetchHealth(serverUrl: string, fetchImpl: FetchLike = fetch, timeoutMs = HEALTH_TIMEOUT_MS): Promise<HealthView | null> {
  try {
    const response = await fetchImpl(new URL(`${API_PREFIX}/health`, serverUrl).toString(), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return null;
    const health = body as Partial<HealthView>;
    return health.status === 'ok' && typeof health.protocolVersion === 'number' ? (body as HealthView) : null;
  } catch {
    return null;
  }
}

export interface WaitForServerDeps {
  isUp(): Promise<boolean>;
  sleep(ms: number): Promise<void>;
  /** stops the wait when the screen is closed or reconfigured */
  signal?: AbortSignal;
  random?: () => number;
  onAttempt?(attempt: number, nextDelayMs: number): void;
}

/** Resolves true when the server answers; false only when aborted. Never gives up on its own. */
export async function waitForServer(deps: WaitForServerDeps, backoff: BackoffOptions = RECONNECT_BACKOFF): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    if (deps.signal?.aborted) return false;
    if (await deps.isUp()) return true;
    if (deps.signal?.aborted) return false;
    const delay = backoffDelayMs(attempt, backoff, deps.random);
    deps.onAttempt?.(attempt, delay);
    await deps.sleep(delay);
  }
}
