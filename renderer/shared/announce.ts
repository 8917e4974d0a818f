// What the hall display says for a call, as text. Pure: no speech engine here, so it is unit-tested.
import type { CallView } from '../../shared/protocol.ts';

/** The national template: 请{票号}号到{窗口号}号窗口办理. Halls may configure their own with the same placeholders. */
export const DEFAULT_TEMPLATE = '请{number}号到{counter}号窗口办理';
export const RECALL_PREFIX = '重复呼叫，';
export const DEFAULT_REPEAT = 2;

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** Ticket numbers are read digit by digit, so 101 is never "一百零一": A001 → "A零零一". */
export function spokenTicketNumber(number: string): string {
  return [...number].map((ch) => (ch >= '0' && ch <= '9' ? DIGITS[Number(ch)] : ch)).join('');
}

/** Counter numbers are read as numbers: 3 → 三, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五. */
export function spokenCounterNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999) return String(n);
  if (n < 10) return DIGITS[n]!;
  if (n < 20) return `十${n % 10 === 0 ? '' : DIGITS[n % 10]}`;
  const units: [number, string][] = [
    [1000, '千'],
    [100, '百'],
    [10, '十'],
    [1, ''],
  ];
  let out = '';
  let pendingZero = false;
  for (const [size, name] of units) {
    const digit = Math.floor(n / size) % 10;
    if (digit === 0) {
      if (out) pendingZero = true;
      continue;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    out += DIGITS[digit] + name;
  }
  return out;
}

export interface AnnounceSettings {
  template: string;
  repeat: number;
}

export const DEFAULT_ANNOUNCE: AnnounceSettings = { template: DEFAULT_TEMPLATE, repeat: DEFAULT_REPEAT };

/** One spoken sentence for a call; a recall is marked at the front. */
export function announcementText(call: Pick<CallView, 'ticket' | 'counter' | 'recall'>, template = DEFAULT_TEMPLATE): string {
  const sentence = template
    .replaceAll('{number}', spokenTicketNumber(call.ticket.number))
    .replaceAll('{counter}', spokenCounterNumber(call.counter.number));
  return call.recall ? `${RECALL_PREFIX}${sentence}` : sentence;
}

/** The utterances to queue for one call, in order: the sentence `repeat` times. */
export function announcementUtterances(call: Pick<CallView, 'ticket' | 'counter' | 'recall'>, settings: AnnounceSettings = DEFAULT_ANNOUNCE): string[] {
  const text = announcementText(call, settings.template);
  return Array.from({ length: Math.max(1, Math.min(5, settings.repeat)) }, () => text);
}
