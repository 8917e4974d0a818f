import { describe, expect, it } from 'vitest';
import { clampPage, DEFAULT_PAGE_SECONDS, DEFAULT_RECENT_ROWS, nextPage, pageRange, pageStarts, readPageSeconds, readRecentRows } from './paging.ts';

describe('pageStarts', () => {
  it('keeps everything on one page when it fits', () => {
    expect(pageStarts([50, 50, 50], 150)).toEqual([0]);
    expect(pageStarts([], 100)).toEqual([0]);
  });

  it('cuts into pages of whole rows only', () => {
    // 3 rows of 50 fit in 170; the 4th would end at 200
    expect(pageStarts(Array<number>(10).fill(50), 170)).toEqual([0, 3, 6, 9]);
  });

  it('packs rows of different heights (a wrapped service name) without cutting one', () => {
    expect(pageStarts([40, 40, 80, 40, 40, 40], 130)).toEqual([0, 2, 4]);
    for (const [start, end] of [[0, 2], [2, 4], [4, 6]] as const) {
      const heights = [40, 40, 80, 40, 40, 40].slice(start, end);
      expect(heights.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(130);
    }
  });

  it('tolerates sub-pixel rounding at the edge but not a visible overlap', () => {
    expect(pageStarts([33.4, 33.4, 33.4], 100)).toEqual([0]);
    expect(pageStarts([34, 34, 34], 100)).toEqual([0, 2]);
  });

  it('caps rows per page at maxRows (?rows=) even when more would fit', () => {
    expect(pageStarts(Array<number>(7).fill(10), 1000, 3)).toEqual([0, 3, 6]);
    expect(pageStarts(Array<number>(7).fill(10), 25, 3)).toEqual([0, 2, 4, 6]);
  });

  it('gives a row taller than the space a page of its own instead of an empty page or a loop', () => {
    expect(pageStarts([50, 200, 50], 100)).toEqual([0, 1, 2]);
    expect(pageStarts([50, 50], 0)).toEqual([0, 1]);
  });
});

describe('pageRange', () => {
  it('gives each page its rows and clamps a page that no longer exists', () => {
    const starts = [0, 3, 6, 9];
    expect(pageRange(starts, 0, 10)).toEqual({ start: 0, end: 3 });
    expect(pageRange(starts, 3, 10)).toEqual({ start: 9, end: 10 });
    expect(pageRange(starts, 7, 10)).toEqual({ start: 9, end: 10 });
    expect(pageRange([0], 0, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('stepping through pages', () => {
  it('goes round and back to the first', () => {
    expect(nextPage(0, 3)).toBe(1);
    expect(nextPage(1, 3)).toBe(2);
    expect(nextPage(2, 3)).toBe(0);
    expect(nextPage(0, 1)).toBe(0);
    expect(nextPage(5, 3)).toBe(0);
  });

  it('clamps', () => {
    expect(clampPage(4, 3)).toBe(2);
    expect(clampPage(-1, 3)).toBe(0);
    expect(clampPage(2, 1)).toBe(0);
    expect(clampPage(Number.NaN, 3)).toBe(0);
  });
});

describe('URL settings', () => {
  it('?pageSeconds=', () => {
    expect(readPageSeconds(null)).toBe(DEFAULT_PAGE_SECONDS);
    expect(readPageSeconds('1')).toBe(1);
    expect(readPageSeconds('2.5')).toBe(2.5);
    expect(readPageSeconds('0')).toBe(DEFAULT_PAGE_SECONDS);
    expect(readPageSeconds('abc')).toBe(DEFAULT_PAGE_SECONDS);
    expect(readPageSeconds('')).toBe(DEFAULT_PAGE_SECONDS);
  });

  it('?rows=', () => {
    expect(readRecentRows(null)).toBe(DEFAULT_RECENT_ROWS);
    expect(readRecentRows('4')).toBe(4);
    expect(readRecentRows('2')).toBe(DEFAULT_RECENT_ROWS);
    expect(readRecentRows('21')).toBe(DEFAULT_RECENT_ROWS);
    expect(readRecentRows('4.5')).toBe(DEFAULT_RECENT_ROWS);
  });
});
