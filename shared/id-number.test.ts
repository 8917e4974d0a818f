import { describe, expect, it } from 'vitest';
import { ageOn, birthDateOf, checkCharacter, idNumberProblem, isValidIdNumber, maskIdNumber, normaliseIdNumber } from './id-number.ts';

/** Builds a valid number from its parts with the computed check character. */
const valid = (first17: string) => first17 + checkCharacter(first17);

describe('checkCharacter (ISO 7064 MOD 11-2)', () => {
  it('matches the worked example of GB 11643-1999', () => {
    expect(checkCharacter('11010519491231002')).toBe('X');
  });

  it('computes by hand: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, then "10X98765432"[sum mod 11]', () => {
    // 4·7 + 4·9 + 0 + 3·5 + 0 + 4·4 + 1·2 + 9·1 + 8·6 + 0 + 0 + 8·9 + 0 + 1·5 + 1·8 + 2·4 + 3·2 = 253, 253 mod 11 = 0 → '1'
    expect(checkCharacter('44030419800801123')).toBe('1');
    expect(isValidIdNumber('440304198008011231')).toBe(true);
  });

  it('produces every check character, X included, and each generated number is valid', () => {
    const seen = new Set<string>();
    for (let seq = 0; seq < 200; seq++) {
      const id = valid(`320102195001${String((seq % 28) + 1).padStart(2, '0')}${String(seq).padStart(3, '0')}`);
      seen.add(id[17]!);
      expect(idNumberProblem(id)).toBeNull();
    }
    expect([...seen].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X']);
  });
});

describe('idNumberProblem', () => {
  const good = valid('11010519491231002'); // 11010519491231002X

  it('accepts a valid number with an X, also lower-case and with spaces', () => {
    expect(good).toBe('11010519491231002X');
    expect(idNumberProblem(good)).toBeNull();
    expect(idNumberProblem('11010519491231002x')).toBeNull();
    expect(idNumberProblem(' 110105 19491231 002X ')).toBeNull();
  });

  it('ID_FORMAT: wrong length, letters, X anywhere but last, old 15-digit numbers', () => {
    for (const bad of ['', '1101051949123100', '11010519491231002XX', '1101051949123100XX', 'A1010519491231002X', '110105491231002']) {
      expect(idNumberProblem(bad)).toBe('ID_FORMAT');
    }
  });

  it('ID_BIRTH_DATE: Feb 30, Feb 29 in a non-leap year, month 13, day 0, before 1900', () => {
    for (const birth of ['19900230', '19000229', '20230229', '19901301', '19900100', '18991231']) {
      expect(idNumberProblem(valid(`110105${birth}123`))).toBe('ID_BIRTH_DATE');
    }
    expect(idNumberProblem(valid('11010520000229123'))).toBeNull(); // 2000 is a leap year
  });

  it('ID_CHECKSUM: any other check character', () => {
    for (const c of '0123456789X') {
      if (c !== 'X') expect(idNumberProblem(`11010519491231002${c}`)).toBe('ID_CHECKSUM');
    }
  });

  it('ID_CHECKSUM catches a single changed digit and two swapped digits', () => {
    const id = valid('44030419800801123');
    expect(idNumberProblem(`${id.slice(0, 5)}9${id.slice(6)}`)).toBe('ID_CHECKSUM');
    expect(idNumberProblem(`${id.slice(0, 14)}${id[15]}${id[14]}${id.slice(16)}`)).toBe('ID_CHECKSUM');
  });
});

describe('normalise and mask', () => {
  it('normalises spaces and a lower-case x', () => {
    expect(normaliseIdNumber(' 110105 19491231 002x')).toBe('11010519491231002X');
  });

  it('masks all but the first 3 and the last 4 characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110***********002X');
    expect(maskIdNumber('110105 19491231 002x')).toBe('110***********002X');
    expect(maskIdNumber('11010519491231002X')).not.toContain('19491231');
  });
});

describe('birth date and age', () => {
  it('reads the birth date', () => {
    expect(birthDateOf('11010519491231002X')).toEqual({ year: 1949, month: 12, day: 31 });
    expect(birthDateOf(valid('11010519900230123'))).toBeNull();
  });

  it('counts whole years on the business date', () => {
    const birth = { year: 1966, month: 3, day: 2 };
    expect(ageOn(birth, '2026-03-01')).toBe(59);
    expect(ageOn(birth, '2026-03-02')).toBe(60);
    expect(ageOn(birth, '2026-12-31')).toBe(60);
    expect(ageOn(birth, '2027-01-01')).toBe(60);
    expect(ageOn({ year: 1950, month: 6, day: 15 }, '2026-03-02')).toBe(75);
  });

  it('a 29 February birthday: one year older from 1 March in a non-leap year', () => {
    const birth = { year: 1964, month: 2, day: 29 };
    expect(ageOn(birth, '2025-02-28')).toBe(60);
    expect(ageOn(birth, '2024-02-28')).toBe(59);
    expect(ageOn(birth, '2024-02-29')).toBe(60);
  });
});
