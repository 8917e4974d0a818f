// The call-next rules, one test each: directed → priority (with anti-starvation) → overdue → primary → backup,
// FIFO within a rule, and the rule recorded on every call.
import { describe, expect, it } from 'vitest';
import { UNIT_START, unitHall, type EngineHarness } from '../../test/helpers/engine-harness.ts';
import { rankQueue } from './call-next.ts';

function counterOf(h: EngineHarness, id: string) {
  const counter = h.state.counters.get(id);
  const cs = h.state.counterStates.get(id);
  if (!counter || !cs) throw new Error(`no counter ${id}`);
  return { counter, cs };
}

/** Sends a ticket to counter `to` by transfer from k4 (which serves A). */
function directTo(h: EngineHarness, ticketId: string, to: string): void {
  h.ok({ type: 'call', counterId: 'k4', ticketId });
  h.ok({ type: 'transfer', counterId: 'k4', toServiceId: null, toCounterId: to });
}

describe('call-next rules', () => {
  it('1. directed first: a ticket transferred to this counter beats priority, overdue and primary tickets', () => {
    const h = unitHall();
    h.signIn('k2');
    h.signIn('k4');
    h.issue('b'); // will be overdue
    h.advanceMinutes(31);
    h.issue('b', { priority: 'disabled' });
    h.issue('b');
    const sent = h.issue('a');
    directTo(h, sent.id, 'k2');
    expect(h.callNext('k2')).toMatchObject({ ticket: { id: sent.id }, rule: 'directed' });
    expect(h.ticket(sent.id).chosenBy).toBe('directed');
  });

  it('1b. directed tickets among themselves: earliest queue time first', () => {
    const h = unitHall();
    h.signIn('k2');
    h.signIn('k4');
    const first = h.issue('a');
    h.advanceMinutes(1);
    const second = h.issue('a');
    directTo(h, second.id, 'k2');
    directTo(h, first.id, 'k2');
    expect(h.callNext('k2').ticket.id).toBe(first.id);
  });

  it('2. priority before overdue, primary and backup', () => {
    const h = unitHall();
    h.signIn('k1');
    h.issue('b'); // backup at k1, will be overdue
    h.issue('a');
    h.advanceMinutes(31);
    const p = h.issue('b', { priority: 'military' });
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: p.id }, rule: 'priority' });
  });

  it('2b. a counter only takes priority tickets of services it serves', () => {
    const h = unitHall();
    h.signIn('k1');
    h.issue('c', { priority: 'pregnant' });
    const a = h.issue('a');
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: a.id }, rule: 'primary' });
  });

  it('2c. anti-starvation: after priorityBurst (default 2) priority calls in a row, one non-priority ticket is taken', () => {
    const h = unitHall();
    h.signIn('k1');
    const n1 = h.issue('a');
    const p = [h.issue('a', { priority: 'disabled' }), h.issue('a', { priority: 'disabled' }), h.issue('a', { priority: 'disabled' })];
    const n2 = h.issue('a');
    const calls = [1, 2, 3, 4, 5].map(() => {
      const c = h.serveNext('k1');
      return [c.number, c.chosenBy];
    });
    expect(calls).toEqual([
      [p[0]!.number, 'priority'],
      [p[1]!.number, 'priority'],
      [n1.number, 'primary'],
      [p[2]!.number, 'priority'],
      [n2.number, 'primary'],
    ]);
  });

  it('2d. anti-starvation also when the priority tickets were issued before the non-priority one', () => {
    const h = unitHall();
    h.signIn('k1');
    const p = [h.issue('a', { priority: 'disabled' }), h.issue('a', { priority: 'disabled' }), h.issue('a', { priority: 'disabled' })];
    h.advanceMinutes(1);
    const n = h.issue('a');
    expect(h.serveNext('k1').id).toBe(p[0]!.id);
    expect(h.serveNext('k1').id).toBe(p[1]!.id);
    const { counter, cs } = counterOf(h, 'k1');
    expect(rankQueue(h.state, counter, cs, h.now).map((r) => [r.ticket.id, r.rule])).toEqual([
      [n.id, 'primary'],
      [p[2]!.id, 'priority'],
    ]);
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: n.id }, rule: 'primary' });
    expect(h.counter('k1').consecutivePriority).toBe(0);
  });

  it('2e. anti-starvation also beats an overdue priority ticket', () => {
    const h = unitHall();
    h.signIn('k1');
    const p = [h.issue('a', { priority: 'elderly', idNumber: '11010519491231002X' }), h.issue('b', { priority: 'disabled' }), h.issue('b', { priority: 'disabled' })];
    h.advanceMinutes(31);
    const n = h.issue('a');
    h.serveNext('k1');
    h.serveNext('k1');
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: n.id }, rule: 'primary' });
    expect(h.ticket(p[2]!.id).status).toBe('waiting');
  });

  it('2f. priority tickets keep coming when no non-priority ticket waits', () => {
    const h = unitHall();
    h.signIn('k1');
    const p = [0, 1, 2, 3].map(() => h.issue('a', { priority: 'disabled' }));
    const rules = p.map(() => h.serveNext('k1').chosenBy);
    expect(rules).toEqual(['priority', 'priority', 'priority', 'priority']);
  });

  it('2g. honours a configured priorityBurst', () => {
    const h = unitHall({ priorityBurst: 1 });
    h.signIn('k1');
    const p = [h.issue('a', { priority: 'disabled' }), h.issue('a', { priority: 'disabled' })];
    const n = h.issue('a');
    expect([h.serveNext('k1').id, h.serveNext('k1').id, h.serveNext('k1').id]).toEqual([p[0]!.id, n.id, p[1]!.id]);
  });

  it('3. overdue (past the service maxWaitMinutes) jumps ahead of primary, even from a backup service', () => {
    const h = unitHall();
    h.signIn('k1');
    const b = h.issue('b'); // backup at k1, maxWait 30
    h.advanceMinutes(5);
    const a = h.issue('a'); // primary at k1
    h.advanceMinutes(25).advanceMs(1); // b has waited 30 min + 1 ms, a 25 min
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: b.id }, rule: 'overdue' });
    expect(h.ticket(a.id).status).toBe('waiting');
  });

  it('3b. exactly at maxWaitMinutes a ticket is not yet overdue', () => {
    const h = unitHall();
    h.signIn('k1');
    h.issue('b');
    h.advanceMinutes(5);
    const a = h.issue('a');
    h.advanceMinutes(25);
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: a.id }, rule: 'primary' });
  });

  it('3c. among overdue tickets: earliest queue time first', () => {
    const h = unitHall();
    h.signIn('k1');
    const b = h.issue('b');
    h.advanceMinutes(1);
    h.issue('a');
    h.advanceMinutes(40);
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: b.id }, rule: 'overdue' });
  });

  it('4. primary before backup', () => {
    const h = unitHall();
    h.signIn('k1');
    const b = h.issue('b');
    h.advanceMinutes(1);
    const a = h.issue('a');
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: a.id }, rule: 'primary' });
    h.ok({ type: 'no-show', counterId: 'k1' });
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: b.id }, rule: 'backup' });
  });

  it('5. FIFO among equals: earliest issue first, also within the same millisecond', () => {
    const h = unitHall();
    h.signIn('k1');
    const tickets = [h.issue('a'), h.issue('a')];
    h.advanceMinutes(1);
    tickets.push(h.issue('a'), h.issue('a'));
    const order = tickets.map(() => h.serveNext('k1').number);
    expect(order).toEqual(['A001', 'A002', 'A003', 'A004']);
    expect(tickets[0]!.issueSeq).toBeLessThan(tickets[1]!.issueSeq);
  });

  it('records the rule on the event and on the ticket for every call', () => {
    const h = unitHall();
    h.signIn('k1');
    h.issue('a');
    const d = h.ok({ type: 'call-next', counterId: 'k1' });
    expect(d.events).toEqual([{ type: 'ticket.called', at: UNIT_START, ticketId: d.ticketId, counterId: 'k1', rule: 'primary' }]);
    expect(h.ticket(d.ticketId ?? '').chosenBy).toBe('primary');
  });

  it('a specific call or a sign-in ends a priority run', () => {
    const h = unitHall();
    h.signIn('k1');
    const p = [0, 1, 2, 3].map(() => h.issue('a', { priority: 'disabled' }));
    h.serveNext('k1');
    expect(h.counter('k1').consecutivePriority).toBe(1);
    h.ok({ type: 'call', counterId: 'k1', ticketId: p[3]!.id });
    expect(h.counter('k1').consecutivePriority).toBe(0);
    h.ok({ type: 'start', counterId: 'k1' });
    h.ok({ type: 'complete', counterId: 'k1', outcome: 'concluded' });
    h.serveNext('k1');
    h.serveNext('k1');
    expect(h.counter('k1').consecutivePriority).toBe(2);
    h.ok({ type: 'sign-out', counterId: 'k1' });
    h.signIn('k1');
    expect(h.counter('k1').consecutivePriority).toBe(0);
  });

  it('rankQueue lists what the counter could call, in call order, with the rule for each', () => {
    const h = unitHall();
    h.signIn('k1');
    h.signIn('k4');
    const backup = h.issue('b');
    const overdue = h.issue('a');
    h.advanceMinutes(31);
    const primary = h.issue('a');
    const priority = h.issue('b', { priority: 'disabled' });
    const directed = h.issue('a');
    directTo(h, directed.id, 'k1');
    h.issue('c'); // not served by k1
    const { counter, cs } = counterOf(h, 'k1');
    expect(rankQueue(h.state, counter, cs, h.now).map((r) => [r.ticket.id, r.rule])).toEqual([
      [directed.id, 'directed'],
      [priority.id, 'priority'],
      [backup.id, 'overdue'],
      [overdue.id, 'overdue'],
      [primary.id, 'primary'],
    ]);
  });
});

describe('the priority counter (绿色通道)', () => {
  it('is not bound by the anti-starvation rule', () => {
    const h = unitHall();
    h.state.counters.get('k1')!.kind = 'priority';
    h.signIn('k1');
    const n = h.issue('a');
    const p = [1, 2, 3, 4].map(() => h.issue('a', { priority: 'disabled' }));
    const calls = [1, 2, 3, 4, 5].map(() => h.serveNext('k1').id);
    expect(calls).toEqual([...p.map((t) => t.id), n.id]);
  });
});
