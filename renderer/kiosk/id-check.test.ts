import { describe, expect, it } from 'vitest';
import { checkTypedId } from './IdKeypad.tsx';

describe('checkTypedId', () => {
  it('counts while typing and says nothing before the birth date is complete', () => {
    expect(checkTypedId('110105', '2026-03-02')).toEqual({ complete: false, problem: null, age: null });
  });
  it('reports an impossible birth date as soon as it is typed', () => {
    expect(checkTypedId('11010519491331', '2026-03-02').problem).toBe('ID_BIRTH_DATE');
  });
  it('checks the check character at 18 characters, lower-case x included', () => {
    expect(checkTypedId('110105194912310021', '2026-03-02').problem).toBe('ID_CHECKSUM');
    expect(checkTypedId('11010519491231002x', '2026-03-02')).toEqual({ complete: true, problem: null, age: 76 });
  });
  it('computes the age on the hall business date', () => {
    expect(checkTypedId('11010519660302001X', '2026-03-01').age).toBe(59);
    expect(checkTypedId('11010519660302001X', '2026-03-02').age).toBe(60);
  });
});
