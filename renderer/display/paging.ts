// Paging arithmetic for the hall display's tables: pure, so it is unit-tested (paging.test.ts).
// The display measures each row and the height the rows may use; these functions cut the rows into pages
// of whole rows and step through them.

export const DEFAULT_PAGE_SECONDS = 8;
export const MIN_PAGE_SECONDS = 1;
export const MAX_PAGE_SECONDS = 600;

/** Rows per page of recent calls when the URL sets none (`?rows=`), and the range it accepts. */
export const DEFAULT_RECENT_ROWS = 8;
export const MIN_RECENT_ROWS = 3;
export const MAX_RECENT_ROWS = 20;

/** Sub-pixel slack: a row whose bottom edge lands within this of the limit still counts as fitting. */
const EPSILON_PX = 0.5;

/**
 * Cuts rows into pages of whole rows. Returns the index of each page's first row (always at least `[0]`).
 * A page takes rows while their summed height fits in `available` and, with `maxRows`, while it has fewer
 * than that many. A single row taller than `available` still gets a page of its own: nothing can be done
 * better, and a display must never stop at an empty page.
 */
export function pageStarts(rowHeights: readonly number[], available: number, maxRows: number | null = null): number[] {
  const starts = [0];
  const limit = maxRows !== null && maxRows >= 1 ? Math.floor(maxRows) : Infinity;
  let used = 0;
  let count = 0;
  for (let i = 0; i < rowHeights.length; i++) {
    const h = Math.max(0, rowHeights[i] ?? 0);
    if (count > 0 && (used + h > available + EPSILON_PX || count >= limit)) {
      starts.push(i);
      used = 0;
      count = 0;
    }
    used += h;
    count += 1;
  }
  return starts;
}

/** The rows `[start, end)` of page `page` (clamped) out of `total` rows. */
export function pageRange(starts: readonly number[], page: number, total: number): { start: number; end: number } {
  const p = clampPage(page, starts.length);
  const start = Math.min(starts[p] ?? 0, total);
  const end = Math.min(starts[p + 1] ?? total, total);
  return { start, end };
}

/** A page index that exists: pages can disappear when rows go away or the screen grows. */
export function clampPage(page: number, count: number): number {
  if (count <= 1 || !Number.isFinite(page) || page < 0) return 0;
  return Math.min(Math.floor(page), count - 1);
}

/** The page after `page`, back to the first after the last. */
export function nextPage(page: number, count: number): number {
  if (count <= 1) return 0;
  return (clampPage(page, count) + 1) % count;
}

/** `?pageSeconds=` → seconds each page stays; anything not a number in range gives the default. */
export function readPageSeconds(value: string | null): number {
  if (value === null || value.trim() === '') return DEFAULT_PAGE_SECONDS;
  const n = Number(value);
  return Number.isFinite(n) && n >= MIN_PAGE_SECONDS && n <= MAX_PAGE_SECONDS ? n : DEFAULT_PAGE_SECONDS;
}

/** `?rows=` → at most this many recent calls on a page (fewer when fewer fit); a whole number in range, else the default. */
export function readRecentRows(value: string | null): number {
  if (value === null || value.trim() === '') return DEFAULT_RECENT_ROWS;
  const n = Number(value);
  return Number.isInteger(n) && n >= MIN_RECENT_ROWS && n <= MAX_RECENT_ROWS ? n : DEFAULT_RECENT_ROWS;
}
