// Mainland resident ID numbers (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const ID_PATTERN = /^\d{17}[\dX]$/;

export type IdNumberProblem = 'ID_FORMAT' | 'ID_BIRTH_DATE' | 'ID_CHECKSUM';

/** Upper-cases a trailing x and drops spaces, as kiosks and readers deliver both. */
export function normaliseIdNumber(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

/** The check character the first 17 digits call for. @example checkCharacter('11010519491231002') === 'X' */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export interface BirthDate {
  year: number;
  month: number;
  day: number;
}

export function birthDateOf(id: string): BirthDate | null {
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  if (year < 1900 || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return { year, month, day };
}

/** Why an ID number is not valid, or null when it is. */
export function idNumberProblem(raw: string): IdNumberProblem | null {
  const id = normaliseIdNumber(raw);
  if (!ID_PATTERN.test(id)) return 'ID_FORMAT';
  if (!birthDateOf(id)) return 'ID_BIRTH_DATE';
  if (checkCharacter(id.slice(0, 17)) !== id[17]) return 'ID_CHECKSUM';
  return null;
}

export function isValidIdNumber(raw: string): boolean {
  return idNumberProblem(raw) === null;
}

/** The masked form screens may show: first 3 and last 4 characters. @example maskIdNumber('110105194912310021') === '110***********0021' */
export function maskIdNumber(raw: string): string {
  const id = normaliseIdNumber(raw);
  return `${id.slice(0, 3)}${'*'.repeat(Math.max(0, id.length - 7))}${id.slice(-4)}`;
}

/** Age in whole years on the given calendar date (the hall's business date, YYYY-MM-DD). */
export function ageOn(birth: BirthDate, businessDate: string): number {
  const [y, m, d] = businessDate.split('-').map(Number) as [number, number, number];
  let age = y - birth.year;
  if (m < birth.month || (m === birth.month && d < birth.day)) age -= 1;
  return age;
}
