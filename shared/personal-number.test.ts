// The guard on free text that is shown on screens and kept in the audit trail (pause reasons).
import { describe, expect, it } from 'vitest';
import { looksLikePersonalNumber, PausePayload } from './protocol.ts';

describe('looksLikePersonalNumber', () => {
  it.each([
    ['请联系13800138000', true],
    ['138 0013 8000', true], // spaces do not hide a phone number
    ['11010519491231002X', true],
    ['１３８００１３８０００', true], // full-width digits
    ['110105-1949-1231', true],
    ['系统维护', false],
    ['预计10:00-11:30恢复', false], // clock times are not personal numbers
    ['9:30至14:00暂停', false],
    ['12月3日恢复', false],
    ['第2窗口 20分钟', false],
  ])('%s → %s', (text, expected) => {
    expect(looksLikePersonalNumber(text)).toBe(expected);
  });

  it('does not let clock-time punctuation hide a phone number', () => {
    // a time-shaped piece is taken out, but what remains still holds six digits in a row
    expect(looksLikePersonalNumber('13800:13:8000')).toBe(true);
  });

  it('is what the pause reason is checked with', () => {
    expect(PausePayload.safeParse({ reason: '预计10:00-11:30恢复' }).success).toBe(true);
    expect(PausePayload.safeParse({ reason: '请联系13800138000' }).success).toBe(false);
  });
});
