// Domain events: what happened, as the engine decided it. Appended to the events table and applied
// to the in-memory state by `applyEvent`; the projection tables are written from the result.
import type { CallRule, Outcome, PriorityKind, SuspendReturn } from '../../shared/protocol.ts';
import type { CounterServiceConfig } from '../../shared/catalogue.ts';
import { dailySeqKey, setCounterServices, type HallState, type Ticket } from './state.ts';

export type HallEvent =
  | {
      type: 'ticket.issued';
      at: number;
      ticketId: string;
      number: string;
      dailySeq: number;
      serviceId: string;
      businessDate: string;
      priority: PriorityKind | null;
      idHash: string | null;
      idMasked: string | null;
      trackingToken: string;
      idempotencyKey: string | null;
      deviceId: string | null;
    }
  | { type: 'ticket.called'; at: number; ticketId: string; counterId: string; rule: CallRule }
  | { type: 'ticket.recalled'; at: number; ticketId: string; counterId: string; recalls: number }
  | { type: 'ticket.started'; at: number; ticketId: string; counterId: string }
  | { type: 'ticket.completed'; at: number; ticketId: string; counterId: string; outcome: Outcome; servedMs: number }
  | { type: 'ticket.no_show'; at: number; ticketId: string; counterId: string; automatic: boolean }
  | { type: 'ticket.reactivated'; at: number; ticketId: string; counterId: string }
  | {
      type: 'ticket.transferred';
      at: number;
      ticketId: string;
      fromCounterId: string;
      toServiceId: string | null;
      toCounterId: string | null;
    }
  | { type: 'ticket.suspended'; at: number; ticketId: string; counterId: string; returnTo: SuspendReturn }
  | { type: 'ticket.resumed'; at: number; ticketId: string; counterId: string }
  /** back to the queue with its queue time (a manager released the counter it was called to or served at) */
  | { type: 'ticket.returned'; at: number; ticketId: string; counterId: string }
  /** suspended for `counterId` only, now resumable at any counter serving its service (a manager released that counter) */
  | { type: 'ticket.opened_to_any_counter'; at: number; ticketId: string; counterId: string }
  | { type: 'ticket.cancelled'; at: number; ticketId: string; reason: string }
  | { type: 'counter.signed_in'; at: number; counterId: string; staffId: string }
  | { type: 'counter.signed_out'; at: number; counterId: string; staffId: string }
  | { type: 'counter.paused'; at: number; counterId: string; reason: string }
  | { type: 'counter.unpaused'; at: number; counterId: string }
  /** a hall manager stopped the kiosks issuing tickets for a service (its system is down, its capacity for the day is reached…) */
  | { type: 'service.issuing_paused'; at: number; serviceId: string; reason: string }
  | { type: 'service.issuing_resumed'; at: number; serviceId: string }
  /** the services a counter calls for from now: a hall manager's change (潮汐窗口), or the catalogue's again (a reset, the close of the day) */
  | { type: 'counter.services_set'; at: number; counterId: string; services: CounterServiceConfig[] };

export type HallEventType = HallEvent['type'];

/** Ids of the tickets and counters an event touches: the projection rows to rewrite. */
export function touchedBy(event: HallEvent): { ticketIds: string[]; counterIds: string[] } {
  const ticketIds = 'ticketId' in event ? [event.ticketId] : [];
  const counterIds: string[] = [];
  if ('counterId' in event) counterIds.push(event.counterId);
  if (event.type === 'ticket.transferred') {
    counterIds.push(event.fromCounterId);
    if (event.toCounterId) counterIds.push(event.toCounterId);
  }
  return { ticketIds, counterIds };
}

function ticketOf(state: HallState, id: string): Ticket {
  const t = state.tickets.get(id);
  if (!t) throw new Error(`event for unknown ticket ${id}`);
  return t;
}

function counterOf(state: HallState, id: string) {
  const c = state.counterStates.get(id);
  if (!c) throw new Error(`event for unknown counter ${id}`);
  return c;
}

function freeCounter(state: HallState, counterId: string, at: number): void {
  const c = counterOf(state, counterId);
  c.currentTicketId = null;
  c.status = 'idle';
  c.statusSince = at;
}

function closeServingSpell(t: Ticket, at: number): void {
  if (t.status === 'serving' && t.startedAt !== null) t.servedMs += Math.max(0, at - t.startedAt);
}

/** Applies one event to the state in place. Events are trusted: the engine produced them. */
export function applyEvent(state: HallState, e: HallEvent): void {
  switch (e.type) {
    case 'ticket.issued': {
      const t: Ticket = {
        id: e.ticketId,
        number: e.number,
        dailySeq: e.dailySeq,
        serviceId: e.serviceId,
        businessDate: e.businessDate,
        issuedAt: e.at,
        issueSeq: state.seq + 1,
        queueAt: e.at,
        status: 'waiting',
        priority: e.priority,
        idHash: e.idHash,
        idMasked: e.idMasked,
        trackingToken: e.trackingToken,
        idempotencyKey: e.idempotencyKey,
        issuedByDeviceId: e.deviceId,
        recalls: 0,
        counterId: null,
        directedCounterId: null,
        calledAt: null,
        startedAt: null,
        servedMs: 0,
        finishedAt: null,
        outcome: null,
        chosenBy: null,
        transfers: 0,
        suspendReturn: null,
        cancelReason: null,
      };
      state.tickets.set(t.id, t);
      if (t.idempotencyKey) state.byIdempotencyKey.set(t.idempotencyKey, t.id);
      state.dailySeq.set(dailySeqKey(e.businessDate, e.serviceId), e.dailySeq);
      return;
    }
    case 'ticket.called': {
      const t = ticketOf(state, e.ticketId);
      t.status = 'called';
      t.counterId = e.counterId;
      t.directedCounterId = null;
      t.calledAt = e.at;
      t.startedAt = null;
      t.recalls = 0;
      t.chosenBy = e.rule;
      const c = counterOf(state, e.counterId);
      c.status = 'calling';
      c.currentTicketId = t.id;
      c.statusSince = e.at;
      c.consecutivePriority = t.priority && e.rule === 'priority' ? c.consecutivePriority + 1 : 0;
      return;
    }
    case 'ticket.recalled': {
      const t = ticketOf(state, e.ticketId);
      t.recalls = e.recalls;
      return;
    }
    case 'ticket.started': {
      const t = ticketOf(state, e.ticketId);
      t.status = 'serving';
      t.startedAt = e.at;
      const c = counterOf(state, e.counterId);
      c.status = 'serving';
      c.statusSince = e.at;
      return;
    }
    case 'ticket.completed': {
      const t = ticketOf(state, e.ticketId);
      t.status = 'completed';
      t.servedMs = e.servedMs;
      t.outcome = e.outcome;
      t.finishedAt = e.at;
      freeCounter(state, e.counterId, e.at);
      return;
    }
    case 'ticket.no_show': {
      const t = ticketOf(state, e.ticketId);
      t.status = 'no_show';
      t.finishedAt = e.at;
      freeCounter(state, e.counterId, e.at);
      return;
    }
    case 'ticket.reactivated': {
      const t = ticketOf(state, e.ticketId);
      t.status = 'waiting';
      t.queueAt = e.at;
      t.counterId = null;
      t.directedCounterId = null;
      t.finishedAt = null;
      t.recalls = 0;
      return;
    }
    case 'ticket.transferred': {
      const t = ticketOf(state, e.ticketId);
      closeServingSpell(t, e.at);
      t.status = 'waiting';
      t.counterId = null;
      t.startedAt = null;
      t.transfers += 1;
      if (e.toServiceId) t.serviceId = e.toServiceId;
      t.directedCounterId = e.toCounterId;
      freeCounter(state, e.fromCounterId, e.at);
      return;
    }
    case 'ticket.suspended': {
      const t = ticketOf(state, e.ticketId);
      closeServingSpell(t, e.at);
      t.status = 'suspended';
      t.startedAt = null;
      t.suspendReturn = e.returnTo;
      freeCounter(state, e.counterId, e.at);
      return;
    }
    case 'ticket.resumed': {
      const t = ticketOf(state, e.ticketId);
      t.status = 'waiting';
      t.directedCounterId = e.counterId;
      t.counterId = null;
      t.suspendReturn = null;
      return;
    }
    case 'ticket.returned': {
      const t = ticketOf(state, e.ticketId);
      closeServingSpell(t, e.at);
      t.status = 'waiting';
      t.counterId = null;
      t.directedCounterId = null;
      t.startedAt = null;
      t.recalls = 0;
      freeCounter(state, e.counterId, e.at);
      return;
    }
    case 'ticket.opened_to_any_counter': {
      ticketOf(state, e.ticketId).suspendReturn = 'any_counter';
      return;
    }
    case 'ticket.cancelled': {
      const t = ticketOf(state, e.ticketId);
      const holder = t.counterId ? state.counterStates.get(t.counterId) : undefined;
      if (holder && holder.currentTicketId === t.id) freeCounter(state, holder.id, e.at);
      t.status = 'cancelled';
      t.finishedAt = e.at;
      t.cancelReason = e.reason;
      return;
    }
    case 'counter.signed_in': {
      const c = counterOf(state, e.counterId);
      c.status = 'idle';
      c.staffId = e.staffId;
      c.pauseReason = null;
      c.consecutivePriority = 0;
      c.statusSince = e.at;
      return;
    }
    case 'counter.signed_out': {
      const c = counterOf(state, e.counterId);
      c.status = 'signed_out';
      c.staffId = null;
      c.pauseReason = null;
      c.statusSince = e.at;
      return;
    }
    case 'counter.paused': {
      const c = counterOf(state, e.counterId);
      c.status = 'paused';
      c.pauseReason = e.reason;
      c.statusSince = e.at;
      return;
    }
    case 'counter.unpaused': {
      const c = counterOf(state, e.counterId);
      c.status = 'idle';
      c.pauseReason = null;
      c.statusSince = e.at;
      return;
    }
    case 'service.issuing_paused':
      state.issuingPauses.set(e.serviceId, { reason: e.reason, since: e.at });
      return;
    case 'service.issuing_resumed':
      state.issuingPauses.delete(e.serviceId);
      return;
    case 'counter.services_set': {
      const counter = state.counters.get(e.counterId);
      if (!counter) throw new Error(`unknown counter ${e.counterId}`);
      setCounterServices(counter, e.services, e.at);
      return;
    }
  }
}
