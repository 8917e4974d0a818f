// Ticket lifecycle and counter commands: every transition and every refusal, on the injected clock.
import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '../../shared/protocol.ts';
import { MINUTE_MS, UNIT_START, stateProblems, unitHall, type EngineHarness } from '../../test/helpers/engine-harness.ts';
import { decide } from './engine.ts';

/** A hall with k1 signed in and one A ticket called at k1. */
function calledAtK1(settings: Record<string, unknown> = {}): { h: EngineHarness; id: string } {
  const h = unitHall(settings);
  const t = h.issue('a');
  h.signIn('k1');
  h.callNext('k1');
  return { h, id: t.id };
}

function servingAtK1(settings: Record<string, unknown> = {}): { h: EngineHarness; id: string } {
  const r = calledAtK1(settings);
  r.h.ok({ type: 'start', counterId: 'k1' });
  return r;
}

describe('decide is pure', () => {
  it('never changes the state, also when it accepts', () => {
    const h = unitHall();
    h.signIn('k1');
    h.issue('a');
    const before = structuredClone(h.state);
    const d = decide(h.state, { type: 'call-next', counterId: 'k1' }, h.context());
    expect(d.ok).toBe(true);
    expect(h.state).toEqual(before);
  });

  it('refuses commands for an unknown counter', () => {
    const h = unitHall();
    h.refuse({ type: 'sign-in', counterId: 'nope', staffId: 's' }, 'COUNTER_NOT_FOUND');
    h.refuse({ type: 'call-next', counterId: 'nope' }, 'COUNTER_NOT_FOUND');
  });
});

describe('ticket lifecycle: waiting → called → serving → completed', () => {
  it('issues a waiting ticket', () => {
    const h = unitHall();
    const t = h.issue('a');
    expect(t).toMatchObject({ status: 'waiting', number: 'A001', queueAt: UNIT_START, issuedAt: UNIT_START, counterId: null });
  });

  it('call-next calls it: ticket called at the counter, counter calling', () => {
    const { h, id } = calledAtK1();
    expect(h.ticket(id)).toMatchObject({ status: 'called', counterId: 'k1', calledAt: UNIT_START, chosenBy: 'primary' });
    expect(h.counter('k1')).toMatchObject({ status: 'calling', currentTicketId: id });
  });

  it('start moves both to serving', () => {
    const { h, id } = calledAtK1();
    h.advanceMinutes(1);
    const d = h.ok({ type: 'start', counterId: 'k1' });
    expect(d.events).toEqual([{ type: 'ticket.started', at: h.now, ticketId: id, counterId: 'k1' }]);
    expect(h.ticket(id)).toMatchObject({ status: 'serving', startedAt: h.now });
    expect(h.counter('k1')).toMatchObject({ status: 'serving', currentTicketId: id });
  });

  it.each(OUTCOMES)('complete with outcome %s frees the counter and records the handling time', (outcome) => {
    const { h, id } = servingAtK1();
    h.advanceMinutes(7);
    const d = h.ok({ type: 'complete', counterId: 'k1', outcome });
    expect(d.ticketId).toBe(id);
    expect(d.events).toEqual([{ type: 'ticket.completed', at: h.now, ticketId: id, counterId: 'k1', outcome, servedMs: 7 * MINUTE_MS }]);
    expect(h.ticket(id)).toMatchObject({ status: 'completed', outcome, finishedAt: h.now, servedMs: 7 * MINUTE_MS });
    expect(h.counter('k1')).toMatchObject({ status: 'idle', currentTicketId: null });
    expect(stateProblems(h.state)).toEqual([]);
  });

  it('refuses start, complete, recall, no-show, transfer, suspend with nothing in hand', () => {
    const h = unitHall();
    h.signIn('k1');
    h.refuse({ type: 'start', counterId: 'k1' }, 'NO_CURRENT_TICKET');
    h.refuse({ type: 'complete', counterId: 'k1', outcome: 'concluded' }, 'NO_CURRENT_TICKET');
    h.refuse({ type: 'recall', counterId: 'k1' }, 'NO_CURRENT_TICKET');
    h.refuse({ type: 'no-show', counterId: 'k1' }, 'NO_CURRENT_TICKET');
    h.refuse({ type: 'transfer', counterId: 'k1', toServiceId: 'b', toCounterId: null }, 'NO_CURRENT_TICKET');
    h.refuse({ type: 'suspend', counterId: 'k1', returnTo: 'this_counter' }, 'NO_CURRENT_TICKET');
  });

  it('refuses complete and suspend before start (TICKET_NOT_SERVING)', () => {
    const { h } = calledAtK1();
    h.refuse({ type: 'complete', counterId: 'k1', outcome: 'concluded' }, 'TICKET_NOT_SERVING');
    h.refuse({ type: 'suspend', counterId: 'k1', returnTo: 'this_counter' }, 'TICKET_NOT_SERVING');
  });

  it('refuses start, recall and no-show once serving (TICKET_ALREADY_STARTED)', () => {
    const { h } = servingAtK1();
    h.refuse({ type: 'start', counterId: 'k1' }, 'TICKET_ALREADY_STARTED');
    h.refuse({ type: 'recall', counterId: 'k1' }, 'TICKET_ALREADY_STARTED');
    h.refuse({ type: 'no-show', counterId: 'k1' }, 'TICKET_ALREADY_STARTED');
  });

  it('no-show marks a called ticket and frees the counter', () => {
    const { h, id } = calledAtK1();
    const d = h.ok({ type: 'no-show', counterId: 'k1' });
    expect(d.events).toEqual([{ type: 'ticket.no_show', at: h.now, ticketId: id, counterId: 'k1', automatic: false }]);
    expect(h.ticket(id)).toMatchObject({ status: 'no_show', finishedAt: h.now });
    expect(h.counter('k1')).toMatchObject({ status: 'idle', currentTicketId: null });
  });
});

describe('recall and automatic no-show', () => {
  it('counts recalls and the 4th recall attempt marks the ticket a no-show (default recallLimit 3)', () => {
    const { h, id } = calledAtK1();
    for (let i = 1; i <= 3; i++) {
      h.advanceMinutes(1);
      const d = h.ok({ type: 'recall', counterId: 'k1' });
      expect(d.events).toEqual([{ type: 'ticket.recalled', at: h.now, ticketId: id, counterId: 'k1', recalls: i }]);
      expect(h.ticket(id)).toMatchObject({ status: 'called', recalls: i });
    }
    h.advanceMinutes(1);
    const d = h.ok({ type: 'recall', counterId: 'k1' });
    expect(d.events).toEqual([{ type: 'ticket.no_show', at: h.now, ticketId: id, counterId: 'k1', automatic: true }]);
    expect(h.ticket(id).status).toBe('no_show');
    expect(h.counter('k1')).toMatchObject({ status: 'idle', currentTicketId: null });
  });

  it('honours a configured recallLimit (0: the first recall is a no-show)', () => {
    const { h, id } = calledAtK1({ recallLimit: 0 });
    const d = h.ok({ type: 'recall', counterId: 'k1' });
    expect(d.events[0]).toMatchObject({ type: 'ticket.no_show', ticketId: id, automatic: true });
  });

  it('a new call starts the recall count again', () => {
    const { h, id } = calledAtK1();
    h.ok({ type: 'recall', counterId: 'k1' });
    h.ok({ type: 'recall', counterId: 'k1' });
    h.ok({ type: 'no-show', counterId: 'k1' });
    h.ok({ type: 'reactivate', counterId: 'k1', ticketId: id });
    h.callNext('k1');
    expect(h.ticket(id).recalls).toBe(0);
  });
});

describe('reactivating a no-show', () => {
  it('puts it back to waiting within noShowGraceMinutes (default 30), queued from the reactivation time', () => {
    const { h, id } = calledAtK1();
    h.ok({ type: 'no-show', counterId: 'k1' });
    h.advanceMinutes(30);
    const d = h.ok({ type: 'reactivate', counterId: 'k1', ticketId: id });
    expect(d.events).toEqual([{ type: 'ticket.reactivated', at: h.now, ticketId: id, counterId: 'k1' }]);
    expect(h.ticket(id)).toMatchObject({ status: 'waiting', queueAt: h.now, finishedAt: null, counterId: null, recalls: 0 });
    expect(h.callNext('k1').ticket.id).toBe(id);
  });

  it('refuses after the grace period (GRACE_PERIOD_OVER)', () => {
    const { h, id } = calledAtK1();
    h.ok({ type: 'no-show', counterId: 'k1' });
    h.advanceMinutes(30).advanceMs(1);
    h.refuse({ type: 'reactivate', counterId: 'k1', ticketId: id }, 'GRACE_PERIOD_OVER');
  });

  it('honours a configured grace period', () => {
    const { h, id } = calledAtK1({ noShowGraceMinutes: 5 });
    h.ok({ type: 'no-show', counterId: 'k1' });
    h.advanceMinutes(6);
    h.refuse({ type: 'reactivate', counterId: 'k1', ticketId: id }, 'GRACE_PERIOD_OVER');
  });

  it('refuses a ticket that is not a no-show, an unknown ticket, and a counter that does not serve it', () => {
    const { h, id } = calledAtK1();
    h.refuse({ type: 'reactivate', counterId: 'k1', ticketId: id }, 'TICKET_NOT_NO_SHOW');
    h.refuse({ type: 'reactivate', counterId: 'k1', ticketId: 'missing' }, 'TICKET_NOT_FOUND');
    h.ok({ type: 'no-show', counterId: 'k1' });
    h.signIn('k3');
    h.refuse({ type: 'reactivate', counterId: 'k3', ticketId: id }, 'SERVICE_NOT_SERVED');
    // another counter serving the service may reactivate it
    h.signIn('k2');
    h.ok({ type: 'reactivate', counterId: 'k2', ticketId: id });
  });
});

describe('transfer', () => {
  it('to another service: waiting again in the new service, keeping the original issue time', () => {
    const { h, id } = servingAtK1();
    h.advanceMinutes(1);
    const later = h.issue('c'); // issued after A001, before the transfer
    h.advanceMinutes(3);
    const d = h.ok({ type: 'transfer', counterId: 'k1', toServiceId: 'c', toCounterId: null });
    expect(d.events).toEqual([
      { type: 'ticket.transferred', at: h.now, ticketId: id, fromCounterId: 'k1', toServiceId: 'c', toCounterId: null },
    ]);
    expect(h.ticket(id)).toMatchObject({
      status: 'waiting',
      serviceId: 'c',
      number: 'A001',
      queueAt: UNIT_START,
      issuedAt: UNIT_START,
      transfers: 1,
      counterId: null,
      directedCounterId: null,
      servedMs: 4 * MINUTE_MS,
    });
    expect(h.counter('k1')).toMatchObject({ status: 'idle', currentTicketId: null });
    // it keeps its place: ahead of the C ticket issued after it
    h.signIn('k3');
    expect(h.callNext('k3').ticket.id).toBe(id);
    expect(later.status).toBe('waiting');
  });

  it('to a specific counter: only that counter may call it, by rule directed', () => {
    const { h, id } = calledAtK1();
    h.ok({ type: 'transfer', counterId: 'k1', toServiceId: null, toCounterId: 'k2' });
    expect(h.ticket(id)).toMatchObject({ status: 'waiting', serviceId: 'a', directedCounterId: 'k2', queueAt: UNIT_START });
    h.signIn('k4');
    h.refuse({ type: 'call', counterId: 'k4', ticketId: id }, 'NOT_YOUR_TICKET');
    h.refuse({ type: 'call-next', counterId: 'k4' }, 'NO_TICKET_WAITING');
    h.signIn('k2');
    h.issue('b');
    expect(h.callNext('k2')).toMatchObject({ ticket: { id }, rule: 'directed' });
  });

  it('from called (before start): no handling time, counter freed', () => {
    const { h, id } = calledAtK1();
    h.advanceMinutes(2);
    h.ok({ type: 'transfer', counterId: 'k1', toServiceId: 'b', toCounterId: null });
    expect(h.ticket(id)).toMatchObject({ status: 'waiting', serviceId: 'b', servedMs: 0, transfers: 1 });
    expect(h.counter('k1')).toMatchObject({ status: 'idle', currentTicketId: null });
    expect(stateProblems(h.state)).toEqual([]);
  });

  it('to another service at a specific counter', () => {
    const { h, id } = servingAtK1();
    h.ok({ type: 'transfer', counterId: 'k1', toServiceId: 'c', toCounterId: 'k3' });
    expect(h.ticket(id)).toMatchObject({ serviceId: 'c', directedCounterId: 'k3' });
    h.signIn('k3');
    expect(h.callNext('k3')).toMatchObject({ ticket: { id }, rule: 'directed' });
  });

  it('refuses the same service or the same counter (TRANSFER_TO_SELF)', () => {
    const { h } = servingAtK1();
    h.refuse({ type: 'transfer', counterId: 'k1', toServiceId: 'a', toCounterId: null }, 'TRANSFER_TO_SELF');
    h.refuse({ type: 'transfer', counterId: 'k1', toServiceId: null, toCounterId: 'k1' }, 'TRANSFER_TO_SELF');
  });

  it('refuses an unknown service or counter, and a transfer to nowhere', () => {
    const { h } = servingAtK1();
    h.refuse({ type: 'transfer', counterId: 'k1', toServiceId: 'nope', toCounterId: null }, 'SERVICE_NOT_FOUND');
    h.refuse({ type: 'transfer', counterId: 'k1', toServiceId: null, toCounterId: 'nope' }, 'COUNTER_NOT_FOUND');
    h.refuse({ type: 'transfer', counterId: 'k1', toServiceId: null, toCounterId: null }, 'VALIDATION_FAILED');
  });
});

describe('suspend (补件挂起) and resume', () => {
  it('suspend frees the counter; the suspended time is not handling time', () => {
    const { h, id } = servingAtK1();
    h.advanceMinutes(5);
    const d = h.ok({ type: 'suspend', counterId: 'k1', returnTo: 'this_counter' });
    expect(d.events).toEqual([{ type: 'ticket.suspended', at: h.now, ticketId: id, counterId: 'k1', returnTo: 'this_counter' }]);
    expect(h.ticket(id)).toMatchObject({ status: 'suspended', servedMs: 5 * MINUTE_MS, startedAt: null, counterId: 'k1' });
    expect(h.counter('k1')).toMatchObject({ status: 'idle', currentTicketId: null });

    h.advanceMinutes(45); // away fetching documents
    h.ok({ type: 'resume', counterId: 'k1', ticketId: id });
    h.advanceMinutes(1);
    h.callNext('k1');
    h.advanceMinutes(1);
    h.ok({ type: 'start', counterId: 'k1' });
    h.advanceMinutes(3);
    const done = h.ok({ type: 'complete', counterId: 'k1', outcome: 'accepted' });
    expect(done.events[0]).toMatchObject({ type: 'ticket.completed', servedMs: 8 * MINUTE_MS });
    expect(h.ticket(id).servedMs).toBe(8 * MINUTE_MS);
  });

  it('a resumed ticket returns ahead of tickets issued later, by rule directed', () => {
    const { h, id } = servingAtK1();
    h.ok({ type: 'suspend', counterId: 'k1', returnTo: 'this_counter' });
    h.advanceMinutes(1);
    const later = [h.issue('a'), h.issue('a')];
    h.advanceMinutes(10);
    const d = h.ok({ type: 'resume', counterId: 'k1', ticketId: id });
    expect(d.events).toEqual([{ type: 'ticket.resumed', at: h.now, ticketId: id, counterId: 'k1' }]);
    expect(h.ticket(id)).toMatchObject({ status: 'waiting', directedCounterId: 'k1', queueAt: UNIT_START, suspendReturn: null });
    expect(h.callNext('k1')).toMatchObject({ ticket: { id }, rule: 'directed' });
    expect(later.map((t) => t.status)).toEqual(['waiting', 'waiting']);
  });

  it('this_counter: another counter may not resume it (NOT_YOUR_TICKET)', () => {
    const { h, id } = servingAtK1();
    h.ok({ type: 'suspend', counterId: 'k1', returnTo: 'this_counter' });
    h.signIn('k2');
    h.refuse({ type: 'resume', counterId: 'k2', ticketId: id }, 'NOT_YOUR_TICKET');
  });

  it('any_counter: any counter serving the service may resume it, and it is directed there', () => {
    const { h, id } = servingAtK1();
    h.ok({ type: 'suspend', counterId: 'k1', returnTo: 'any_counter' });
    h.signIn('k3');
    h.refuse({ type: 'resume', counterId: 'k3', ticketId: id }, 'SERVICE_NOT_SERVED');
    h.signIn('k2');
    h.ok({ type: 'resume', counterId: 'k2', ticketId: id });
    expect(h.ticket(id).directedCounterId).toBe('k2');
    expect(h.callNext('k2')).toMatchObject({ ticket: { id }, rule: 'directed' });
  });

  it('refuses resuming a ticket that is not suspended, or unknown', () => {
    const { h, id } = servingAtK1();
    h.refuse({ type: 'resume', counterId: 'k1', ticketId: id }, 'TICKET_NOT_SUSPENDED');
    h.refuse({ type: 'resume', counterId: 'k1', ticketId: 'missing' }, 'TICKET_NOT_FOUND');
  });
});

describe('counter states: signed_out / idle / calling / serving / paused', () => {
  it('signed out: every counter command but sign-in is refused (NOT_SIGNED_IN)', () => {
    const h = unitHall();
    const t = h.issue('a');
    expect(h.counter('k1').status).toBe('signed_out');
    h.refuse({ type: 'call-next', counterId: 'k1' }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'call', counterId: 'k1', ticketId: t.id }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'recall', counterId: 'k1' }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'start', counterId: 'k1' }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'complete', counterId: 'k1', outcome: 'concluded' }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'no-show', counterId: 'k1' }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'transfer', counterId: 'k1', toServiceId: 'b', toCounterId: null }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'suspend', counterId: 'k1', returnTo: 'this_counter' }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'resume', counterId: 'k1', ticketId: t.id }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'reactivate', counterId: 'k1', ticketId: t.id }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'pause', counterId: 'k1', reason: '午休' }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'unpause', counterId: 'k1' }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'sign-out', counterId: 'k1' }, 'NOT_SIGNED_IN');
  });

  it('sign-in makes the counter idle; signing in again as the same clerk is a no-op', () => {
    const h = unitHall();
    h.advanceMinutes(1);
    const d = h.ok({ type: 'sign-in', counterId: 'k1', staffId: 'wang' });
    expect(d.events).toEqual([{ type: 'counter.signed_in', at: h.now, counterId: 'k1', staffId: 'wang' }]);
    expect(h.counter('k1')).toMatchObject({ status: 'idle', staffId: 'wang', statusSince: h.now });
    const seq = h.state.seq;
    expect(h.ok({ type: 'sign-in', counterId: 'k1', staffId: 'wang' }).events).toEqual([]);
    expect(h.state.seq).toBe(seq);
  });

  it('refuses another clerk at a signed-in counter (ALREADY_SIGNED_IN), and a clerk with a visitor at another counter (STAFF_BUSY)', () => {
    const { h } = calledAtK1(); // wang at k1, calling a ticket
    h.refuse({ type: 'sign-in', counterId: 'k1', staffId: 'li' }, 'ALREADY_SIGNED_IN');
    h.refuse({ type: 'sign-in', counterId: 'k2', staffId: h.counter('k1').staffId! }, 'STAFF_BUSY');
    h.ok({ type: 'start', counterId: 'k1' });
    h.refuse({ type: 'sign-in', counterId: 'k2', staffId: h.counter('k1').staffId! }, 'STAFF_BUSY');
  });

  it('moves a clerk with no visitor in hand: signing in at another counter signs them out where they were', () => {
    const h = unitHall();
    h.signIn('k1', 'wang');
    h.ok({ type: 'pause', counterId: 'k1', reason: '午休' });
    h.advanceMinutes(1);
    const d = h.ok({ type: 'sign-in', counterId: 'k2', staffId: 'wang' });
    expect(d.events).toEqual([
      { type: 'counter.signed_out', at: h.now, counterId: 'k1', staffId: 'wang' },
      { type: 'counter.signed_in', at: h.now, counterId: 'k2', staffId: 'wang' },
    ]);
    expect(h.counter('k1')).toMatchObject({ status: 'signed_out', staffId: null });
    expect(h.counter('k2')).toMatchObject({ status: 'idle', staffId: 'wang' });
    expect(stateProblems(h.state)).toEqual([]);
  });

  it('sign-out from idle or paused; refused while calling or serving (COUNTER_BUSY)', () => {
    const { h } = calledAtK1();
    h.refuse({ type: 'sign-out', counterId: 'k1' }, 'COUNTER_BUSY');
    h.ok({ type: 'start', counterId: 'k1' });
    h.refuse({ type: 'sign-out', counterId: 'k1' }, 'COUNTER_BUSY');
    h.ok({ type: 'complete', counterId: 'k1', outcome: 'consulted' });
    h.ok({ type: 'pause', counterId: 'k1', reason: '会议' });
    const d = h.ok({ type: 'sign-out', counterId: 'k1' });
    expect(d.events).toEqual([{ type: 'counter.signed_out', at: h.now, counterId: 'k1', staffId: 'staff-k1' }]);
    expect(h.counter('k1')).toMatchObject({ status: 'signed_out', staffId: null, pauseReason: null });
  });

  it('calling or serving: call-next and call are refused (COUNTER_BUSY), as is pause', () => {
    const { h } = calledAtK1();
    const other = h.issue('a');
    h.refuse({ type: 'call-next', counterId: 'k1' }, 'COUNTER_BUSY');
    h.refuse({ type: 'call', counterId: 'k1', ticketId: other.id }, 'COUNTER_BUSY');
    h.refuse({ type: 'pause', counterId: 'k1', reason: '午休' }, 'COUNTER_BUSY');
    h.ok({ type: 'start', counterId: 'k1' });
    h.refuse({ type: 'call-next', counterId: 'k1' }, 'COUNTER_BUSY');
    h.refuse({ type: 'call', counterId: 'k1', ticketId: other.id }, 'COUNTER_BUSY');
    h.refuse({ type: 'pause', counterId: 'k1', reason: '午休' }, 'COUNTER_BUSY');
  });

  it('pause with a reason; a paused counter calls nothing until unpaused', () => {
    const h = unitHall();
    h.signIn('k1');
    const t = h.issue('a');
    h.advanceMinutes(2);
    const d = h.ok({ type: 'pause', counterId: 'k1', reason: '午休' });
    expect(d.events).toEqual([{ type: 'counter.paused', at: h.now, counterId: 'k1', reason: '午休' }]);
    expect(h.counter('k1')).toMatchObject({ status: 'paused', pauseReason: '午休', statusSince: h.now });
    h.refuse({ type: 'call-next', counterId: 'k1' }, 'COUNTER_PAUSED');
    h.refuse({ type: 'call', counterId: 'k1', ticketId: t.id }, 'COUNTER_PAUSED');
    h.refuse({ type: 'pause', counterId: 'k1', reason: '故障' }, 'COUNTER_PAUSED');
    h.ok({ type: 'unpause', counterId: 'k1' });
    expect(h.counter('k1')).toMatchObject({ status: 'idle', pauseReason: null });
    h.refuse({ type: 'unpause', counterId: 'k1' }, 'COUNTER_NOT_PAUSED');
    expect(h.callNext('k1').ticket.id).toBe(t.id);
  });

  it('idle with an empty queue: NO_TICKET_WAITING', () => {
    const h = unitHall();
    h.signIn('k1');
    h.refuse({ type: 'call-next', counterId: 'k1' }, 'NO_TICKET_WAITING');
    h.issue('c'); // a service k1 does not serve
    h.refuse({ type: 'call-next', counterId: 'k1' }, 'NO_TICKET_WAITING');
  });
});

describe('calling a specific ticket (counter:call)', () => {
  it('calls it out of order and records rule specific', () => {
    const h = unitHall();
    h.signIn('k1');
    h.issue('a');
    const second = h.issue('a');
    const d = h.ok({ type: 'call', counterId: 'k1', ticketId: second.id });
    expect(d.events).toEqual([{ type: 'ticket.called', at: h.now, ticketId: second.id, counterId: 'k1', rule: 'specific' }]);
    expect(h.ticket(second.id).chosenBy).toBe('specific');
  });

  it('refuses unknown, not waiting, and not served tickets', () => {
    const { h, id } = calledAtK1();
    h.signIn('k2');
    h.refuse({ type: 'call', counterId: 'k2', ticketId: 'missing' }, 'TICKET_NOT_FOUND');
    h.refuse({ type: 'call', counterId: 'k2', ticketId: id }, 'TICKET_NOT_WAITING');
    const c = h.issue('c');
    h.refuse({ type: 'call', counterId: 'k2', ticketId: c.id }, 'SERVICE_NOT_SERVED');
  });
});

describe('close-day', () => {
  it('cancels the unfinished tickets of earlier days and frees their counters; today is untouched', () => {
    const h = unitHall();
    h.signIn('k1');
    h.signIn('k3');
    const waiting = h.issue('a');
    const called = h.issue('a');
    const suspended = h.issue('c');
    const done = h.issue('a');
    h.ok({ type: 'call', counterId: 'k1', ticketId: done.id });
    h.ok({ type: 'start', counterId: 'k1' });
    h.ok({ type: 'complete', counterId: 'k1', outcome: 'concluded' });
    h.ok({ type: 'call', counterId: 'k3', ticketId: suspended.id });
    h.ok({ type: 'start', counterId: 'k3' });
    h.ok({ type: 'suspend', counterId: 'k3', returnTo: 'any_counter' });
    h.ok({ type: 'call', counterId: 'k1', ticketId: called.id });

    expect(h.ok({ type: 'close-day' }).events).toEqual([]); // same business day: nothing to close

    h.advanceMinutes(24 * 60);
    const today = h.issue('a');
    const d = h.ok({ type: 'close-day' });
    expect(d.events.flatMap((e) => (e.type === 'ticket.cancelled' ? [[e.ticketId, e.reason]] : []))).toEqual([
      [waiting.id, 'day_closed'],
      [called.id, 'day_closed'],
      [suspended.id, 'day_closed'],
    ]);
    for (const t of [waiting, called, suspended]) expect(h.ticket(t.id)).toMatchObject({ status: 'cancelled', cancelReason: 'day_closed', finishedAt: h.now });
    expect(h.ticket(done.id).status).toBe('completed');
    expect(h.ticket(today.id).status).toBe('waiting');
    // a new day starts with every counter signed out
    expect(d.events.filter((e) => e.type === 'counter.signed_out').map((e) => e.type === 'counter.signed_out' && e.counterId)).toEqual(['k1', 'k3']);
    expect(h.counter('k1')).toMatchObject({ status: 'signed_out', staffId: null, currentTicketId: null });
    expect(h.counter('k3')).toMatchObject({ status: 'signed_out', staffId: null });
    expect(stateProblems(h.state)).toEqual([]);
    expect(h.ok({ type: 'close-day' }).events).toEqual([]);
    // a clerk who signs in today is not signed out by a later close-day
    h.signIn('k1');
    expect(h.ok({ type: 'close-day' }).events).toEqual([]);
  });
});

describe('release (a hall manager frees a counter whose terminal is gone)', () => {
  it('a called visitor goes back to the queue at their place: the next call anywhere takes them first', () => {
    const { h, id } = calledAtK1();
    h.advanceMinutes(1);
    const later = h.issue('a');
    h.advanceMinutes(2);
    const d = h.ok({ type: 'release', counterId: 'k1', toCounterId: null });
    expect(d.events).toEqual([
      { type: 'ticket.returned', at: h.now, ticketId: id, counterId: 'k1' },
      { type: 'counter.signed_out', at: h.now, counterId: 'k1', staffId: 'staff-k1' },
    ]);
    expect(d.ticketId).toBe(id);
    expect(h.ticket(id)).toMatchObject({ status: 'waiting', counterId: null, directedCounterId: null, queueAt: UNIT_START, recalls: 0 });
    expect(h.counter('k1')).toMatchObject({ status: 'signed_out', staffId: null, currentTicketId: null });
    expect(stateProblems(h.state)).toEqual([]);
    // the clerk may now sign in elsewhere (STAFF_BUSY before), and the returned visitor comes before a later one
    h.ok({ type: 'sign-in', counterId: 'k2', staffId: 'staff-k1' });
    expect(h.callNext('k2').ticket.id).toBe(id);
    h.signIn('k4');
    expect(h.callNext('k4').ticket.id).toBe(later.id);
  });

  it('a visitor being served keeps the time served so far', () => {
    const { h, id } = servingAtK1();
    h.advanceMinutes(4);
    h.ok({ type: 'release', counterId: 'k1', toCounterId: null });
    expect(h.ticket(id)).toMatchObject({ status: 'waiting', startedAt: null, servedMs: 4 * MINUTE_MS });
    h.signIn('k2');
    h.callNext('k2');
    h.ok({ type: 'start', counterId: 'k2' });
    h.advanceMinutes(2);
    expect(h.ok({ type: 'complete', counterId: 'k2', outcome: 'concluded' }).events[0]).toMatchObject({ servedMs: 6 * MINUTE_MS });
  });

  it('to a named counter: the visitor is directed there, and only that counter calls them', () => {
    const { h, id } = servingAtK1();
    const d = h.ok({ type: 'release', counterId: 'k1', toCounterId: 'k3' });
    expect(d.events).toEqual([
      { type: 'ticket.transferred', at: h.now, ticketId: id, fromCounterId: 'k1', toServiceId: null, toCounterId: 'k3' },
      { type: 'counter.signed_out', at: h.now, counterId: 'k1', staffId: 'staff-k1' },
    ]);
    h.signIn('k2');
    h.refuse({ type: 'call', counterId: 'k2', ticketId: id }, 'NOT_YOUR_TICKET');
    h.signIn('k3');
    expect(h.callNext('k3')).toMatchObject({ ticket: { id }, rule: 'directed' });
  });

  it('an idle or paused counter is only signed out', () => {
    const h = unitHall();
    h.signIn('k1');
    h.ok({ type: 'pause', counterId: 'k1', reason: '午休' });
    const d = h.ok({ type: 'release', counterId: 'k1', toCounterId: null });
    expect(d.events).toEqual([{ type: 'counter.signed_out', at: h.now, counterId: 'k1', staffId: 'staff-k1' }]);
    expect(d.ticketId).toBeNull();
  });

  it('opens the visitors suspended for that counter only to any counter serving their service', () => {
    const { h, id } = servingAtK1();
    h.ok({ type: 'suspend', counterId: 'k1', returnTo: 'this_counter' });
    h.signIn('k4'); // serves a
    h.refuse({ type: 'resume', counterId: 'k4', ticketId: id }, 'NOT_YOUR_TICKET');
    const d = h.ok({ type: 'release', counterId: 'k1', toCounterId: null });
    expect(d.events).toEqual([
      { type: 'ticket.opened_to_any_counter', at: h.now, ticketId: id, counterId: 'k1' },
      { type: 'counter.signed_out', at: h.now, counterId: 'k1', staffId: 'staff-k1' },
    ]);
    expect(h.ticket(id)).toMatchObject({ status: 'suspended', suspendReturn: 'any_counter' });
    h.ok({ type: 'resume', counterId: 'k4', ticketId: id });
    expect(h.callNext('k4')).toMatchObject({ ticket: { id }, rule: 'directed' });
  });

  it('refuses when the visitor there is not the one the manager saw (COUNTER_CHANGED)', () => {
    const { h, id } = calledAtK1();
    h.refuse({ type: 'release', counterId: 'k1', toCounterId: null, expectedTicketId: null }, 'COUNTER_CHANGED');
    h.refuse({ type: 'release', counterId: 'k1', toCounterId: null, expectedTicketId: 'someone-else' }, 'COUNTER_CHANGED');
    expect(h.ok({ type: 'release', counterId: 'k1', toCounterId: null, expectedTicketId: id }).ticketId).toBe(id);
    h.signIn('k2');
    h.refuse({ type: 'release', counterId: 'k2', toCounterId: null, expectedTicketId: id }, 'COUNTER_CHANGED');
    h.ok({ type: 'release', counterId: 'k2', toCounterId: null, expectedTicketId: null });
  });

  it('refuses a counter nobody is signed in at, an unknown counter either side, and the counter itself as the target', () => {
    const { h } = calledAtK1();
    h.refuse({ type: 'release', counterId: 'k2', toCounterId: null }, 'NOT_SIGNED_IN');
    h.refuse({ type: 'release', counterId: 'nope', toCounterId: null }, 'COUNTER_NOT_FOUND');
    h.refuse({ type: 'release', counterId: 'k1', toCounterId: 'nope' }, 'COUNTER_NOT_FOUND');
    h.refuse({ type: 'release', counterId: 'k1', toCounterId: 'k1' }, 'TRANSFER_TO_SELF');
  });
});

describe('a hall manager pauses issuing for a service', () => {
  it('the kiosks are refused with the reason; visitors already waiting are still called; resuming issues again', () => {
    const h = unitHall();
    const waiting = h.issue('a');
    const d = h.ok({ type: 'pause-issuing', serviceId: 'a', reason: '系统维护' });
    expect(d.events).toEqual([{ type: 'service.issuing_paused', at: h.now, serviceId: 'a', reason: '系统维护' }]);
    const refused = h.decide({ type: 'issue', serviceId: 'a', idempotencyKey: null, deviceId: 'kiosk-1' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ISSUING_PAUSED', message: '该事项已暂停取号（系统维护）' } });
    expect(h.state.seq).toBe(2); // the refusal changed nothing
    h.issue('b'); // another service still issues
    h.signIn('k1');
    expect(h.callNext('k1').ticket.id).toBe(waiting.id);
    h.refuse({ type: 'pause-issuing', serviceId: 'a', reason: '再次' }, 'ISSUING_ALREADY_PAUSED');
    expect(h.ok({ type: 'resume-issuing', serviceId: 'a' }).events).toEqual([{ type: 'service.issuing_resumed', at: h.now, serviceId: 'a' }]);
    expect(h.issue('a').number).toBe('A002');
  });

  it('refuses an unknown service, and resuming one that is not paused', () => {
    const h = unitHall();
    h.refuse({ type: 'pause-issuing', serviceId: 'nope', reason: 'x' }, 'SERVICE_NOT_FOUND');
    h.refuse({ type: 'resume-issuing', serviceId: 'nope' }, 'SERVICE_NOT_FOUND');
    h.refuse({ type: 'resume-issuing', serviceId: 'a' }, 'ISSUING_NOT_PAUSED');
  });

  it('lasts until the close of the day at most: the next day issues again', () => {
    const h = unitHall();
    h.ok({ type: 'pause-issuing', serviceId: 'a', reason: '今日号源已满' });
    expect(h.ok({ type: 'close-day' }).events).toEqual([]); // the same day: still paused
    expect(h.state.issuingPauses.has('a')).toBe(true);
    h.advanceMinutes(24 * 60);
    expect(h.ok({ type: 'close-day' }).events).toContainEqual({ type: 'service.issuing_resumed', at: h.now, serviceId: 'a' });
    expect(h.issue('a').number).toBe('A001');
  });
});

describe('潮汐窗口: a hall manager changes the services a counter calls for, for the day', () => {
  it('the counter then calls for the new services at the levels given, and the catalogue\'s again after a reset', () => {
    const h = unitHall();
    const a = h.issue('a');
    h.advanceMinutes(1);
    const c = h.issue('c');
    h.signIn('k1'); // k1: a primary, b backup
    const d = h.ok({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'c', level: 'primary' }, { serviceId: 'a', level: 'backup' }] });
    expect(d.events).toEqual([{ type: 'counter.services_set', at: h.now, counterId: 'k1', services: [{ serviceId: 'c', level: 'primary' }, { serviceId: 'a', level: 'backup' }] }]);
    expect(h.state.counters.get('k1')).toMatchObject({ servicesSetAt: h.now, catalogueServices: [{ serviceId: 'a', level: 'primary' }, { serviceId: 'b', level: 'backup' }] });
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: c.id }, rule: 'primary' }); // its main work now, though a waited longer
    h.ok({ type: 'start', counterId: 'k1' });
    h.ok({ type: 'complete', counterId: 'k1', outcome: 'concluded' });
    expect(h.callNext('k1')).toMatchObject({ ticket: { id: a.id }, rule: 'backup' });
    h.ok({ type: 'start', counterId: 'k1' });
    h.ok({ type: 'complete', counterId: 'k1', outcome: 'concluded' });
    h.issue('b');
    h.refuse({ type: 'call-next', counterId: 'k1' }, 'NO_TICKET_WAITING'); // b is not k1's today
    expect(h.ok({ type: 'reset-services', counterId: 'k1' }).events).toEqual([
      { type: 'counter.services_set', at: h.now, counterId: 'k1', services: [{ serviceId: 'a', level: 'primary' }, { serviceId: 'b', level: 'backup' }] },
    ]);
    expect(h.state.counters.get('k1')).toMatchObject({ servicesSetAt: null });
    expect(h.callNext('k1').rule).toBe('backup');
    expect(stateProblems(h.state)).toEqual([]);
  });

  it('keeps the visitor at the counter and the visitors directed to it, and works on a counter nobody is signed in at', () => {
    const { h, id } = calledAtK1();
    h.ok({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'c', level: 'primary' }] });
    expect(h.counter('k1')).toMatchObject({ status: 'calling', currentTicketId: id });
    h.ok({ type: 'start', counterId: 'k1' });
    h.ok({ type: 'complete', counterId: 'k1', outcome: 'concluded' });
    // a signed-out counter made ready for the clerk who will come
    h.ok({ type: 'set-services', counterId: 'k3', services: [{ serviceId: 'a', level: 'primary' }] });
    const a = h.issue('a');
    h.signIn('k3');
    expect(h.callNext('k3').ticket.id).toBe(a.id);
    expect(stateProblems(h.state)).toEqual([]);
  });

  it('a change to what the counter calls for already, and a reset of a counter not changed, are answered with nothing to commit', () => {
    const h = unitHall();
    expect(h.ok({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'b', level: 'backup' }, { serviceId: 'a', level: 'primary' }] }).events).toEqual([]);
    expect(h.ok({ type: 'reset-services', counterId: 'k1' }).events).toEqual([]);
    h.ok({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'a', level: 'backup' }] });
    // the catalogue's list given by hand is a reset too
    h.ok({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'a', level: 'primary' }, { serviceId: 'b', level: 'backup' }] });
    expect(h.state.counters.get('k1')!.servicesSetAt).toBeNull();
  });

  it('refuses an unknown counter or service, no service at all, and a service named twice; a refusal changes nothing', () => {
    const h = unitHall(); // (refuse checks the state is unchanged after each)
    h.refuse({ type: 'set-services', counterId: 'nope', services: [{ serviceId: 'a', level: 'primary' }] }, 'COUNTER_NOT_FOUND');
    h.refuse({ type: 'reset-services', counterId: 'nope' }, 'COUNTER_NOT_FOUND');
    h.refuse({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'nope', level: 'primary' }] }, 'SERVICE_NOT_FOUND');
    h.refuse({ type: 'set-services', counterId: 'k1', services: [] }, 'VALIDATION_FAILED');
    h.refuse({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'a', level: 'primary' }, { serviceId: 'a', level: 'backup' }] }, 'VALIDATION_FAILED');
  });

  it('acts on what the manager saw: refused (COUNTER_CHANGED) when the counter was changed since, unless asked for what it does already', () => {
    const h = unitHall();
    const first = h.now;
    h.ok({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'c', level: 'primary' }], expectedSetAt: null });
    h.advanceMinutes(1);
    // a second manager's dialog, opened before that change, still says the catalogue's
    h.refuse({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'b', level: 'primary' }], expectedSetAt: null }, 'COUNTER_CHANGED');
    h.refuse({ type: 'reset-services', counterId: 'k1', expectedSetAt: null }, 'COUNTER_CHANGED');
    // the first manager's retry of the same change is answered as it stands
    expect(h.ok({ type: 'set-services', counterId: 'k1', services: [{ serviceId: 'c', level: 'primary' }], expectedSetAt: null }).events).toEqual([]);
    expect(h.ok({ type: 'reset-services', counterId: 'k1', expectedSetAt: first }).events).toHaveLength(1);
  });

  it('lasts until the close of the day at most: the next day the counter calls for the catalogue\'s services', () => {
    const h = unitHall();
    h.ok({ type: 'set-services', counterId: 'k2', services: [{ serviceId: 'c', level: 'primary' }] });
    expect(h.ok({ type: 'close-day' }).events).toEqual([]); // the same day: still changed
    h.advanceMinutes(24 * 60);
    expect(h.ok({ type: 'close-day' }).events).toContainEqual({
      type: 'counter.services_set',
      at: h.now,
      counterId: 'k2',
      services: [{ serviceId: 'b', level: 'primary' }, { serviceId: 'a', level: 'backup' }],
    });
    expect(h.state.counters.get('k2')).toMatchObject({ servicesSetAt: null });
    expect(stateProblems(h.state)).toEqual([]);
  });
});
