import { describe, expect, it } from 'vitest';
import {
  announcementText,
  announcementUtterances,
  DEFAULT_TEMPLATE,
  RECALL_PREFIX,
  spokenCounterNumber,
  spokenTicketNumber,
} from './announce.ts';

const call = (number: string, counter: number, recall = false) => ({
  ticket: { id: 't1', number, serviceId: 's' },
  counter: { id: `c${counter}`, number: counter, name: '综合窗口' },
  recall,
});

describe('spokenTicketNumber', () => {
  it('reads every digit on its own', () => {
    expect(spokenTicketNumber('A001')).toBe('A零零一');
    expect(spokenTicketNumber('B101')).toBe('B一零一');
    expect(spokenTicketNumber('AB1234')).toBe('AB一二三四');
  });
});

describe('spokenCounterNumber', () => {
  it('reads counter numbers as numbers', () => {
    expect([1, 3, 9, 10, 12, 19, 20, 21, 100, 105, 110, 1001].map(spokenCounterNumber)).toEqual([
      '一', '三', '九', '十', '十二', '十九', '二十', '二十一', '一百', '一百零五', '一百一十', '一千零一',
    ]);
  });
});

describe('announcementText', () => {
  it('fills the national template', () => {
    expect(announcementText(call('A001', 3))).toBe('请A零零一号到三号窗口办理');
  });
  it('marks a recall', () => {
    expect(announcementText(call('A001', 3, true))).toBe(`${RECALL_PREFIX}请A零零一号到三号窗口办理`);
  });
  it('accepts a hall template', () => {
    expect(announcementText(call('C012', 12), '{number}号请到{counter}号窗口')).toBe('C零一二号请到十二号窗口');
    expect(DEFAULT_TEMPLATE).toContain('{number}');
  });
});

describe('announcementUtterances', () => {
  it('says the call twice by default and clamps the repeat count', () => {
    expect(announcementUtterances(call('A001', 3))).toEqual(['请A零零一号到三号窗口办理', '请A零零一号到三号窗口办理']);
    expect(announcementUtterances(call('A001', 3), { template: DEFAULT_TEMPLATE, repeat: 0 })).toHaveLength(1);
    expect(announcementUtterances(call('A001', 3), { template: DEFAULT_TEMPLATE, repeat: 99 })).toHaveLength(5);
  });
});
