import { describe, expect, it } from 'vitest';
import { businessDateOf, isValidTimeZone, parseClockTime, readHallClock } from './hall-time.ts';

const SH = 'Asia/Shanghai';

describe('readHallClock', () => {
  it('the business day in Asia/Shanghai starts at 16:00 UTC of the previous UTC day', () => {
    expect(readHallClock(Date.UTC(2026, 2, 2, 15, 59, 59, 999), SH)).toEqual({ businessDate: '2026-03-02', minuteOfDay: 23 * 60 + 59 });
    expect(readHallClock(Date.UTC(2026, 2, 2, 16, 0), SH)).toEqual({ businessDate: '2026-03-03', minuteOfDay: 0 });
  });

  it('reads local minutes of the day', () => {
    expect(readHallClock(Date.UTC(2026, 2, 2, 0, 30), SH)).toEqual({ businessDate: '2026-03-02', minuteOfDay: 8 * 60 + 30 });
    expect(readHallClock(Date.UTC(2026, 2, 2, 9, 0), SH).minuteOfDay).toBe(17 * 60);
  });

  it('crosses month and year ends', () => {
    expect(businessDateOf(Date.UTC(2025, 11, 31, 16, 0), SH)).toBe('2026-01-01');
    expect(businessDateOf(Date.UTC(2024, 1, 28, 16, 0), SH)).toBe('2024-02-29');
  });

  it('uses the hall zone given, also with daylight saving', () => {
    expect(businessDateOf(Date.UTC(2026, 2, 2, 16, 0), 'UTC')).toBe('2026-03-02');
    expect(readHallClock(Date.UTC(2026, 6, 1, 12, 0), 'Europe/Berlin').minuteOfDay).toBe(14 * 60); // CEST, UTC+2
    expect(readHallClock(Date.UTC(2026, 0, 1, 12, 0), 'Europe/Berlin').minuteOfDay).toBe(13 * 60); // CET, UTC+1
  });
});

describe('parseClockTime and isValidTimeZone', () => {
  it('parses HH:MM into minutes', () => {
    expect(parseClockTime('00:00')).toBe(0);
    expect(parseClockTime('08:30')).toBe(510);
    expect(parseClockTime('23:59')).toBe(1439);
  });

  it('knows IANA zones', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Asia/Urumqi')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
