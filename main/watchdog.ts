// Notices a frozen page. The preload sends a heartbeat from the page's own thread; a page stuck in a loop
// stops sending it even though its process is alive and Electron's `unresponsive` may never fire.

export interface WatchdogOptions {
  /** no heartbeat for this long means frozen */
  timeoutMs: number;
}

export const DEFAULT_WATCHDOG: WatchdogOptions = { timeoutMs: 30_000 };

export class Watchdog {
  private lastBeat: number | null = null;
  private readonly options: WatchdogOptions;

  constructor(options: WatchdogOptions = DEFAULT_WATCHDOG) {
    this.options = options;
  }

  /** A page started loading: give it a full timeout before it must beat. */
  arm(now: number): void {
    this.lastBeat = now;
  }

  /** While the shell itself shows nothing to watch (a reload is pending), the watchdog sleeps. */
  disarm(): void {
    this.lastBeat = null;
  }

  beat(now: number): void {
    if (this.lastBeat !== null) this.lastBeat = Math.max(this.lastBeat, now);
  }

  /** True once per freeze: the caller reloads, which re-arms it. */
  check(now: number): boolean {
    if (this.lastBeat === null || now - this.lastBeat < this.options.timeoutMs) return false;
    this.lastBeat = null;
    return true;
  }
}

/** How often the preload beats and how often main checks; a few beats fit in one timeout. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
