// Calendar arithmetic in the hall's time zone, with Intl only (runs in Node, browsers and Electron alike).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface HallClockReading {
  /** YYYY-MM-DD in the hall's time zone */
  businessDate: string;
  /** minutes since local midnight, 0..1439 */
  minuteOfDay: number;
}

// Formatting through Intl is slow and every view reads the clock: cache one reading per zone and minute
// (every real time zone's offset is a whole number of minutes, so a reading holds for its minute).
const lastReading = new Map<string, { minute: number; reading: HallClockReading }>();

export function readHallClock(epochMs: number, timeZone: string): HallClockReading {
  const minute = Math.floor(epochMs / 60_000);
  const cached = lastReading.get(timeZone);
  if (cached && cached.minute === minute) return cached.reading;
  const reading = formatHallClock(epochMs, timeZone);
  lastReading.set(timeZone, { minute, reading });
  return reading;
}

function formatHallClock(epochMs: number, timeZone: string): HallClockReading {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  return {
    businessDate: `${parts.year}-${parts.month}-${parts.day}`,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

export function businessDateOf(epochMs: number, timeZone: string): string {
  return readHallClock(epochMs, timeZone).businessDate;
}

/** "08:30" → 510 */
export function parseClockTime(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
