// What each kind of client may see, computed from the hall state. Never an ID number or phone.
import type {
  CallView,
  CounterFigures,
  CounterPublicView,
  CounterView,
  HallSnapshot,
  IssuedTicket,
  QueueEntryView,
  ServiceView,
  TicketDetail,
  TodayFiguresView,
  TrackView,
} from '../shared/protocol.ts';
import { PROTOCOL_VERSION } from '../shared/protocol.ts';
import { readHallClock } from '../shared/hall-time.ts';
import { rankQueue } from './engine/call-next.ts';
import { serviceAvailability } from './engine/engine.ts';
import type { HallEvent } from './engine/events.ts';
import type { HallState, Ticket } from './engine/state.ts';

export interface StaffLookup {
  (staffId: string): { id: string; name: string; login: string; staffNo: string } | null;
}

const MINUTE_MS = 60_000;

export function waitingByService(state: HallState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of state.services.keys()) counts.set(id, 0);
  for (const t of state.tickets.values()) {
    if (t.status === 'waiting') counts.set(t.serviceId, (counts.get(t.serviceId) ?? 0) + 1);
  }
  return counts;
}

/** Service queue order as a visitor sees it: priority tickets first, then by queue time. */
function aheadInService(a: Ticket, b: Ticket): boolean {
  if ((a.priority !== null) !== (b.priority !== null)) return a.priority !== null;
  return a.queueAt < b.queueAt || (a.queueAt === b.queueAt && a.issueSeq < b.issueSeq);
}

/** 1-based place in the ticket's service queue, or null when it is not waiting. */
export function positionOf(state: HallState, ticket: Ticket): number | null {
  if (ticket.status !== 'waiting') return null;
  let ahead = 0;
  for (const t of state.tickets.values()) {
    if (t !== ticket && t.status === 'waiting' && t.serviceId === ticket.serviceId && aheadInService(t, ticket)) ahead++;
  }
  return ahead + 1;
}

/**
 * Queue length × typical handling time ÷ counters open for the service (the classical QL predictor).
 * Null when no counter serving the service is signed in: then nobody can promise a time.
 */
export function estimateWaitMinutes(state: HallState, serviceId: string, peopleAhead: number): number | null {
  const service = state.services.get(serviceId);
  if (!service) return null;
  let open = 0;
  for (const counter of state.counters.values()) {
    const cs = state.counterStates.get(counter.id);
    if (cs && cs.status !== 'signed_out' && counter.levels.has(serviceId)) open++;
  }
  if (open === 0) return null;
  return Math.round((peopleAhead * service.handlingMinutesSeed) / open);
}

export function issuedTicketView(state: HallState, t: Ticket): IssuedTicket {
  const position = positionOf(state, t) ?? 0;
  const peopleAhead = Math.max(0, position - 1);
  return {
    id: t.id,
    number: t.number,
    serviceId: t.serviceId,
    position,
    peopleAhead,
    trackingToken: t.trackingToken,
    issuedAt: t.issuedAt,
    priority: t.priority,
    estimatedWaitMinutes: estimateWaitMinutes(state, t.serviceId, peopleAhead),
  };
}

export function serviceViews(state: HallState, now: number): ServiceView[] {
  const waiting = waitingByService(state);
  return [...state.services.values()].map((s) => ({
    id: s.id,
    code: s.code,
    names: s.names,
    prefix: s.prefix,
    categoryId: s.categoryId,
    waiting: waiting.get(s.id) ?? 0,
    idRequired: s.idRequired,
    guide: s.guide,
    issuingPeriods: s.issuingPeriods,
    availability: serviceAvailability(state, s, now),
  }));
}

export function counterPublicView(state: HallState, counterId: string, staff: StaffLookup): CounterPublicView {
  const counter = state.counters.get(counterId)!;
  const cs = state.counterStates.get(counterId)!;
  const current = cs.currentTicketId ? state.tickets.get(cs.currentTicketId) : undefined;
  const person = cs.staffId ? staff(cs.staffId) : null;
  const primaryIds = counter.services.filter((s) => s.level === 'primary').map((s) => s.serviceId);
  const backupIds = counter.services.filter((s) => s.level === 'backup').map((s) => s.serviceId);
  return {
    id: counter.id,
    number: counter.number,
    name: counter.name,
    kind: counter.kind,
    area: counter.area,
    status: cs.status,
    statusSince: cs.statusSince,
    pauseReason: cs.pauseReason,
    current: current ? { id: current.id, number: current.number, serviceId: current.serviceId } : null,
    staff: person ? { name: person.name, staffNo: person.staffNo } : null,
    serviceIds: [...primaryIds, ...backupIds],
    backupServiceIds: backupIds,
    servicesSetAt: counter.servicesSetAt,
  };
}

export function ticketDetail(t: Ticket, now: number): TicketDetail {
  return {
    id: t.id,
    number: t.number,
    serviceId: t.serviceId,
    status: t.status,
    priority: t.priority,
    idMasked: t.idMasked,
    issuedAt: t.issuedAt,
    calledAt: t.calledAt,
    startedAt: t.startedAt,
    recalls: t.recalls,
    chosenBy: t.chosenBy,
    servedMs: t.servedMs + (t.status === 'serving' && t.startedAt !== null ? Math.max(0, now - t.startedAt) : 0),
    transfers: t.transfers,
  };
}

function queueEntry(t: Ticket, directed: boolean): QueueEntryView {
  return {
    id: t.id,
    number: t.number,
    serviceId: t.serviceId,
    issuedAt: t.issuedAt,
    priority: t.priority,
    directed,
    status: t.status,
  };
}

/** Today's figures per counter, kept up to date from the committed events. */
export class CounterFiguresBook {
  private readonly figures = new Map<string, CounterFigures & { handlingTotalMs: number }>();

  private of(counterId: string) {
    let f = this.figures.get(counterId);
    if (!f) {
      f = { called: 0, completed: 0, noShows: 0, transfersOut: 0, suspended: 0, meanHandlingMs: null, handlingTotalMs: 0 };
      this.figures.set(counterId, f);
    }
    return f;
  }

  record(e: HallEvent): void {
    switch (e.type) {
      case 'ticket.called':
        this.of(e.counterId).called++;
        return;
      case 'ticket.completed': {
        const f = this.of(e.counterId);
        f.completed++;
        f.handlingTotalMs += e.servedMs;
        f.meanHandlingMs = Math.round(f.handlingTotalMs / f.completed);
        return;
      }
      case 'ticket.no_show':
        this.of(e.counterId).noShows++;
        return;
      case 'ticket.transferred':
        this.of(e.fromCounterId).transfersOut++;
        return;
      case 'ticket.suspended':
        this.of(e.counterId).suspended++;
        return;
      default:
        return;
    }
  }

  get(counterId: string): CounterFigures {
    const { handlingTotalMs: _total, ...figures } = this.of(counterId);
    return figures;
  }

  clear(): void {
    this.figures.clear();
  }
}

/** Today's waits from issue to first call, by ticket (a recall, or a call after a transfer, is not a first call). */
export class FirstCallWaits {
  private readonly waits = new Map<string, number>();
  private totalMs = 0;

  /** `ticket`: the called ticket, when it is one of today's */
  record(e: Extract<HallEvent, { type: 'ticket.called' }>, ticket: Ticket | undefined): void {
    if (!ticket || this.waits.has(ticket.id)) return;
    const wait = Math.max(0, e.at - ticket.issuedAt);
    this.waits.set(ticket.id, wait);
    this.totalMs += wait;
  }

  get count(): number {
    return this.waits.size;
  }

  /** mean wait, ms; null before the first call */
  get meanMs(): number | null {
    return this.waits.size === 0 ? null : Math.round(this.totalMs / this.waits.size);
  }

  clear(): void {
    this.waits.clear();
    this.totalMs = 0;
  }
}

/** The dashboard's figures for the business day (GET /api/v1/figures/today; the formulas are in TodayFiguresView). */
export function todayFigures(state: HallState, businessDate: string, now: number, waits: FirstCallWaits): TodayFiguresView {
  const tickets: TodayFiguresView['tickets'] = { issued: 0, waiting: 0, called: 0, serving: 0, suspended: 0, completed: 0, noShow: 0, cancelled: 0 };
  let oldestWaiting: number | null = null;
  let handledMs = 0;
  for (const t of state.tickets.values()) {
    if (t.businessDate !== businessDate) continue;
    tickets.issued++;
    if (t.status === 'no_show') tickets.noShow++;
    else tickets[t.status]++;
    // waiting since issue: a ticket back in the queue (transferred, resumed, reactivated, released) has
    // been called before, and its issue time says nothing about how long it has waited this time
    if (t.status === 'waiting' && t.calledAt === null && (oldestWaiting === null || t.issuedAt < oldestWaiting)) oldestWaiting = t.issuedAt;
    if (t.status === 'completed') handledMs += t.servedMs;
  }
  return {
    businessDate,
    at: now,
    tickets,
    calledOnce: waits.count,
    meanWaitMs: waits.meanMs,
    longestWaitingMs: oldestWaiting === null ? null : Math.max(0, now - oldestWaiting),
    meanHandlingMs: tickets.completed === 0 ? null : Math.round(handledMs / tickets.completed),
  };
}

export function counterView(
  state: HallState,
  counterId: string,
  staff: StaffLookup,
  figures: CounterFiguresBook,
  now: number,
): CounterView {
  const counter = state.counters.get(counterId)!;
  const cs = state.counterStates.get(counterId)!;
  const current = cs.currentTicketId ? state.tickets.get(cs.currentTicketId) : undefined;
  const graceMs = state.settings.noShowGraceMinutes * MINUTE_MS;
  const suspended: QueueEntryView[] = [];
  const noShows: QueueEntryView[] = [];
  for (const t of state.tickets.values()) {
    const mine = t.counterId === counterId;
    if (t.status === 'suspended' && (mine || (t.suspendReturn === 'any_counter' && counter.levels.has(t.serviceId)))) {
      suspended.push(queueEntry(t, mine));
    } else if (
      t.status === 'no_show' &&
      t.finishedAt !== null &&
      now - t.finishedAt <= graceMs &&
      (mine || counter.levels.has(t.serviceId))
    ) {
      noShows.push(queueEntry(t, mine));
    }
  }
  const person = cs.staffId ? staff(cs.staffId) : null;
  return {
    counterId,
    status: cs.status,
    pauseReason: cs.pauseReason,
    staff: person,
    services: counter.services,
    current: current ? ticketDetail(current, now) : null,
    queue: rankQueue(state, counter, cs, now).map((r) => queueEntry(r.ticket, r.rule === 'directed')),
    suspended,
    noShows,
    today: figures.get(counterId),
  };
}

export function trackView(state: HallState, t: Ticket): TrackView {
  const service = state.services.get(t.serviceId);
  const position = positionOf(state, t);
  const counter = t.counterId && (t.status === 'called' || t.status === 'serving') ? state.counters.get(t.counterId) : undefined;
  return {
    number: t.number,
    serviceId: t.serviceId,
    serviceName: service?.names ?? { zh: t.serviceId, en: t.serviceId },
    status: t.status,
    position,
    peopleAhead: position === null ? null : position - 1,
    counter: counter ? { id: counter.id, number: counter.number, name: counter.name } : null,
    issuedAt: t.issuedAt,
    timeZone: state.settings.timeZone,
  };
}

export function snapshotOf(
  state: HallState,
  input: {
    now: number;
    staff: StaffLookup;
    recentCalls: CallView[];
    area: string | null;
    counterId: string | null;
    counter: CounterView | null;
  },
): HallSnapshot {
  const counters = [...state.counters.values()]
    .filter((c) => input.area === null || c.area === input.area)
    .map((c) => counterPublicView(state, c.id, input.staff));
  const visible = new Set(counters.map((c) => c.id));
  return {
    protocolVersion: PROTOCOL_VERSION,
    seq: state.seq,
    serverTime: input.now,
    businessDate: readHallClock(input.now, state.settings.timeZone).businessDate,
    hall: { name: state.settings.name, timeZone: state.settings.timeZone, notice: state.settings.notice, priorityAge: state.settings.priorityAge },
    categories: state.categories.map((c) => ({ id: c.id, names: c.names })),
    services: serviceViews(state, input.now),
    counters,
    recentCalls: input.recentCalls.filter((c) => visible.has(c.counter.id)),
    counterId: input.counterId,
    counter: input.counter,
  };
}
