// Issuing rules: numbering per business day in the hall's time zone, quota, issuing periods, ID checks,
// anti-scalping, age priority, idempotency, and no raw ID number in any event.
import { describe, expect, it } from 'vitest';
import { formatTicketNumber } from '../../shared/catalogue.ts';
import { UNIT_DAY, UNIT_START, makeIdNumber, shanghai, testHashIdNumber, unitHall } from '../../test/helpers/engine-harness.ts';

const ELDER = makeIdNumber('19500615', 21); // 75 on 2026-03-02
const YOUNG = makeIdNumber('19900101', 35);

describe('ticket numbers', () => {
  it('are the service prefix and a 3-digit daily sequence, counted per service', () => {
    const h = unitHall();
    expect([h.issue('a'), h.issue('a'), h.issue('b'), h.issue('a')].map((t) => t.number)).toEqual(['A001', 'A002', 'B001', 'A003']);
    expect(h.state.tickets.size).toBe(4);
  });

  it('grow to 4 digits past 999', () => {
    expect(formatTicketNumber('A', 7)).toBe('A007');
    expect(formatTicketNumber('BC', 999)).toBe('BC999');
    expect(formatTicketNumber('A', 1000)).toBe('A1000');
  });

  it('restart each business day at midnight in Asia/Shanghai (16:00 UTC)', () => {
    const beforeMidnight = Date.UTC(2026, 2, 2, 15, 59, 59, 999);
    const h = unitHall({}, beforeMidnight);
    const last = [h.issue('a'), h.issue('a')][1]!;
    expect(last).toMatchObject({ number: 'A002', businessDate: '2026-03-02' });
    h.now = Date.UTC(2026, 2, 2, 16, 0, 0, 0);
    const first = h.issue('a');
    expect(first).toMatchObject({ number: 'A001', businessDate: '2026-03-03' });
    expect(h.issue('a').number).toBe('A002');
    // yesterday's A001 and A002 are still in the state: numbers are unique per business day
    const keys = [...h.state.tickets.values()].map((t) => `${t.businessDate}|${t.number}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('follow the configured time zone', () => {
    const h = unitHall({ timeZone: 'Asia/Urumqi' }, Date.UTC(2026, 2, 2, 16, 30)); // UTC+6: 22:30 on the 2nd
    expect(h.issue('a').businessDate).toBe('2026-03-02');
  });

  it('are not reused after a transfer, and the issuing order breaks ties', () => {
    const h = unitHall();
    h.signIn('k1');
    const a = h.issue('a');
    h.callNext('k1');
    h.ok({ type: 'transfer', counterId: 'k1', toServiceId: 'b', toCounterId: null });
    const b = h.issue('b');
    const a2 = h.issue('a');
    expect([h.ticket(a.id).number, b.number, a2.number]).toEqual(['A001', 'B001', 'A002']);
    expect(a.issueSeq).toBeLessThan(b.issueSeq);
    expect(b.issueSeq).toBeLessThan(a2.issueSeq);
  });
});

describe('availability', () => {
  it('refuses an unknown or inactive service', () => {
    const h = unitHall();
    h.refuse({ type: 'issue', serviceId: 'nope', idempotencyKey: null, deviceId: 'kiosk-1' }, 'SERVICE_NOT_FOUND');
    h.refuse({ type: 'issue', serviceId: 'closed', idempotencyKey: null, deviceId: 'kiosk-1' }, 'SERVICE_INACTIVE');
  });

  it('daily quota: refused once used up (QUOTA_EXHAUSTED), available again the next business day', () => {
    const h = unitHall();
    h.issue('quota');
    h.issue('quota');
    h.refuse({ type: 'issue', serviceId: 'quota', idempotencyKey: null, deviceId: 'kiosk-1' }, 'QUOTA_EXHAUSTED');
    h.now = shanghai('2026-03-03', '09:00');
    expect(h.issue('quota').number).toBe('Q001');
  });

  it.each([
    ['08:29', false],
    ['08:30', true],
    ['11:29', true],
    ['11:30', false],
    ['12:15', false],
    ['13:30', true],
    ['16:59', true],
    ['17:00', false],
    ['23:59', false],
  ])('issuing periods are local time: %s → %s', (hhmm, open) => {
    const h = unitHall({}, shanghai(UNIT_DAY, hhmm));
    const cmd = { type: 'issue', serviceId: 'hours', idempotencyKey: null, deviceId: 'kiosk-1' } as const;
    if (open) expect(h.ok(cmd).events[0]).toMatchObject({ type: 'ticket.issued', serviceId: 'hours' });
    else h.refuse(cmd, 'OUTSIDE_ISSUING_PERIOD');
  });
});

describe('ID numbers', () => {
  it('a real-name service refuses a ticket without an ID (ID_REQUIRED)', () => {
    const h = unitHall();
    h.refuse({ type: 'issue', serviceId: 'real-name', idempotencyKey: null, deviceId: 'kiosk-1' }, 'ID_REQUIRED');
    expect(h.issue('real-name', { idNumber: YOUNG }).idMasked).toBe(`110***********${YOUNG.slice(-4)}`);
  });

  it.each([
    ['ID_FORMAT', '11010519900101035'],
    ['ID_FORMAT', '1101051990010103A5'],
    ['ID_FORMAT', '110105900101035'],
    ['ID_BIRTH_DATE', makeIdNumber('19900230')],
    ['ID_BIRTH_DATE', makeIdNumber('19901301')],
    ['ID_BIRTH_DATE', makeIdNumber('18991231')],
    ['ID_BIRTH_DATE', makeIdNumber('20260303')], // born tomorrow (the unit hall's day is 2026-03-02)
    ['ID_CHECKSUM', YOUNG.slice(0, 17) + (YOUNG[17] === '0' ? '1' : '0')],
  ] as const)('refuses %s: %s', (code, idNumber) => {
    const h = unitHall();
    h.refuse({ type: 'issue', serviceId: 'a', idempotencyKey: null, idNumber, deviceId: 'kiosk-1' }, code);
  });

  it('accepts a lower-case x check character and spaces, storing the normalised hash', () => {
    const h = unitHall();
    const t = h.issue('real-name', { idNumber: '110105 19491231 002x' });
    expect(t.idHash).toBe(testHashIdNumber('11010519491231002X'));
    expect(t.idMasked).toBe('110***********002X');
  });

  it('anti-scalping: at most perIdDailyLimit tickets per ID per service per business day (ID_DAILY_LIMIT)', () => {
    const h = unitHall();
    h.issue('real-name', { idNumber: YOUNG });
    h.issue('real-name', { idNumber: YOUNG });
    h.refuse({ type: 'issue', serviceId: 'real-name', idempotencyKey: null, idNumber: YOUNG, deviceId: 'kiosk-2' }, 'ID_DAILY_LIMIT');
    h.issue('real-name', { idNumber: ELDER }); // another person
    h.issue('a', { idNumber: YOUNG }); // another service
    h.now = shanghai('2026-03-03', '09:00');
    h.issue('real-name', { idNumber: YOUNG }); // the next day
  });

  it('never puts the raw ID number into events or the state, only its hash and masked form', () => {
    const h = unitHall();
    const t = h.issue('real-name', { idNumber: ELDER, priority: 'elderly' });
    const issued = h.log[0];
    expect(issued).toMatchObject({ type: 'ticket.issued', idHash: testHashIdNumber(ELDER), idMasked: `110***********${ELDER.slice(-4)}` });
    expect(JSON.stringify(h.log)).not.toContain(ELDER.slice(0, 14));
    expect(JSON.stringify({ ...t })).not.toContain(ELDER.slice(6, 14));
  });
});

describe('priority', () => {
  it('elderly priority with an ID showing age ≥ priorityAge (default 60)', () => {
    const h = unitHall();
    expect(h.issue('a', { idNumber: ELDER, priority: 'elderly' }).priority).toBe('elderly');
    // 60 exactly on the business date
    expect(h.issue('a', { idNumber: makeIdNumber('19660302'), priority: 'elderly' }).priority).toBe('elderly');
  });

  it('refuses elderly priority below the age (PRIORITY_NOT_ELIGIBLE) and without an ID (ID_REQUIRED)', () => {
    const h = unitHall();
    const issue = (idNumber?: string) => ({ type: 'issue', serviceId: 'a', idempotencyKey: null, idNumber, priority: 'elderly', deviceId: 'kiosk-1' }) as const;
    h.refuse(issue(makeIdNumber('19660303')), 'PRIORITY_NOT_ELIGIBLE'); // turns 60 tomorrow
    h.refuse(issue(YOUNG), 'PRIORITY_NOT_ELIGIBLE');
    h.refuse(issue(), 'ID_REQUIRED');
  });

  it('honours a configured priorityAge', () => {
    const h = unitHall({ priorityAge: 70 });
    h.refuse(
      { type: 'issue', serviceId: 'a', idempotencyKey: null, idNumber: makeIdNumber('19600101'), priority: 'elderly', deviceId: 'kiosk-1' },
      'PRIORITY_NOT_ELIGIBLE',
    );
    expect(h.issue('a', { idNumber: ELDER, priority: 'elderly' }).priority).toBe('elderly');
  });

  it('other priority kinds need no ID', () => {
    const h = unitHall();
    expect((['disabled', 'military', 'pregnant'] as const).map((p) => h.issue('a', { priority: p }).priority)).toEqual(['disabled', 'military', 'pregnant']);
  });
});

describe('idempotency', () => {
  it('the same key from the same device returns the same ticket and no events', () => {
    const h = unitHall();
    const t = h.issue('a', { key: 'key-00000001', deviceId: 'kiosk-1' });
    const seq = h.state.seq;
    const before = structuredClone(h.state);
    const again = h.ok({ type: 'issue', serviceId: 'a', idempotencyKey: 'key-00000001', deviceId: 'kiosk-1' });
    expect(again).toEqual({ ok: true, events: [], ticketId: t.id });
    expect(h.state.seq).toBe(seq);
    expect(h.state).toEqual(before);
  });

  it('the retry wins over the quota and periods: it is the same ticket, not a new one', () => {
    const h = unitHall();
    h.issue('quota');
    const t = h.issue('quota', { key: 'key-quota-1' });
    expect(h.ok({ type: 'issue', serviceId: 'quota', idempotencyKey: 'key-quota-1', deviceId: 'kiosk-1' }).ticketId).toBe(t.id);
  });

  it('refuses the key from another device or for another service (IDEMPOTENCY_CONFLICT)', () => {
    const h = unitHall();
    h.issue('a', { key: 'key-00000002', deviceId: 'kiosk-1' });
    h.refuse({ type: 'issue', serviceId: 'a', idempotencyKey: 'key-00000002', deviceId: 'kiosk-2' }, 'IDEMPOTENCY_CONFLICT');
    h.refuse({ type: 'issue', serviceId: 'b', idempotencyKey: 'key-00000002', deviceId: 'kiosk-1' }, 'IDEMPOTENCY_CONFLICT');
  });

  it('a retry still finds the ticket after it was transferred to another service', () => {
    const h = unitHall();
    h.signIn('k1');
    const t = h.issue('a', { key: 'key-00000003' });
    h.callNext('k1');
    h.ok({ type: 'transfer', counterId: 'k1', toServiceId: 'b', toCounterId: null });
    expect(h.ok({ type: 'issue', serviceId: 'a', idempotencyKey: 'key-00000003', deviceId: 'kiosk-1' }).ticketId).toBe(t.id);
  });

  it('without a key every request is a new ticket', () => {
    const h = unitHall();
    expect(h.issue('a').id).not.toBe(h.issue('a').id);
    expect(h.issue('a').issuedAt).toBe(UNIT_START);
  });
});
