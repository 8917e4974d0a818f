// The engine: state + command + injected clock and id source → events or a typed error. No I/O.
import { hallError, type HallError } from '../../shared/errors.ts';
import { ageOn, birthDateOf, idNumberProblem, maskIdNumber, normaliseIdNumber } from '../../shared/id-number.ts';
import { readHallClock, parseClockTime } from '../../shared/hall-time.ts';
import { formatTicketNumber, sameServices, serviceLevels, type CounterServiceConfig, type ServiceConfig } from '../../shared/catalogue.ts';
import type { Outcome, PriorityKind, ServiceAvailability, SuspendReturn } from '../../shared/protocol.ts';
import type { HallEvent } from './events.ts';
import { dailySeqKey, isFinal, type Counter, type CounterState, type HallState, type Ticket } from './state.ts';
import { counterMayCall, pickNext } from './call-next.ts';

export type Command =
  | {
      type: 'issue';
      serviceId: string;
      idempotencyKey: string | null;
      idNumber?: string | undefined;
      priority?: PriorityKind | undefined;
      deviceId: string | null;
    }
  | { type: 'sign-in'; counterId: string; staffId: string }
  | { type: 'sign-out'; counterId: string }
  | { type: 'call-next'; counterId: string }
  | { type: 'call'; counterId: string; ticketId: string }
  | { type: 'recall'; counterId: string }
  | { type: 'start'; counterId: string }
  | { type: 'complete'; counterId: string; outcome: Outcome }
  | { type: 'no-show'; counterId: string }
  | { type: 'transfer'; counterId: string; toServiceId: string | null; toCounterId: string | null }
  | { type: 'suspend'; counterId: string; returnTo: SuspendReturn }
  | { type: 'resume'; counterId: string; ticketId: string }
  | { type: 'reactivate'; counterId: string; ticketId: string }
  | { type: 'pause'; counterId: string; reason: string }
  | { type: 'unpause'; counterId: string }
  /**
   * A hall manager signs the clerk out of a counter whose terminal is gone, with a visitor called or
   * being served there: the visitor goes back to the queue with their queue time, or to `toCounterId`.
   * `expectedTicketId`: the visitor the manager saw there (null: nobody); refused when that changed.
   */
  | { type: 'release'; counterId: string; toCounterId: string | null; expectedTicketId?: string | null | undefined }
  /** a hall manager stops the kiosks issuing tickets for a service, for the rest of the day at most; waiting visitors are still called */
  | { type: 'pause-issuing'; serviceId: string; reason: string }
  | { type: 'resume-issuing'; serviceId: string }
  /**
   * 潮汐窗口: a hall manager changes the services a counter calls for, for the rest of the day at most
   * (the catalogue's are back at the close of the day, or with `reset-services`).
   */
  | { type: 'set-services'; counterId: string; services: CounterServiceConfig[]; expectedSetAt?: number | null | undefined }
  | { type: 'reset-services'; counterId: string; expectedSetAt?: number | null | undefined }
  | { type: 'close-day' };

export interface EngineContext {
  now: number;
  newTicketId(): string;
  newTrackingToken(): string;
  /** keyed hash of a normalised ID number (HMAC with the hall's secret); the engine never stores the number */
  hashIdNumber(idNumber: string): string;
}

export type Decision =
  | { ok: true; events: HallEvent[]; ticketId: string | null }
  | { ok: false; error: HallError };

const MINUTE_MS = 60_000;

const fail = (code: HallError['code'], message?: string): Decision => ({ ok: false, error: hallError(code, message) });
const done = (events: HallEvent[], ticketId: string | null = null): Decision => ({ ok: true, events, ticketId });

export function issuedToday(state: HallState, businessDate: string, serviceId: string): number {
  return state.dailySeq.get(dailySeqKey(businessDate, serviceId)) ?? 0;
}

export function serviceAvailability(state: HallState, service: ServiceConfig, now: number): ServiceAvailability {
  const clock = readHallClock(now, state.settings.timeZone);
  const issued = issuedToday(state, clock.businessDate, service.id);
  const remainingQuota = service.dailyQuota === null ? null : Math.max(0, service.dailyQuota - issued);
  if (!service.active) return { issuing: false, reason: 'SERVICE_INACTIVE', remainingQuota };
  const pause = state.issuingPauses.get(service.id);
  if (pause) return { issuing: false, reason: 'ISSUING_PAUSED', remainingQuota, pauseReason: pause.reason };
  if (
    service.issuingPeriods.length > 0 &&
    !service.issuingPeriods.some(
      (p) => clock.minuteOfDay >= parseClockTime(p.start) && clock.minuteOfDay < parseClockTime(p.end),
    )
  ) {
    return { issuing: false, reason: 'OUTSIDE_ISSUING_PERIOD', remainingQuota };
  }
  if (remainingQuota === 0) return { issuing: false, reason: 'QUOTA_EXHAUSTED', remainingQuota };
  return { issuing: true, reason: null, remainingQuota };
}

function decideIssue(state: HallState, cmd: Extract<Command, { type: 'issue' }>, ctx: EngineContext): Decision {
  if (cmd.idempotencyKey !== null) {
    const existingId = state.byIdempotencyKey.get(cmd.idempotencyKey);
    const existing = existingId ? state.tickets.get(existingId) : undefined;
    if (existing) {
      const sameRequest =
        existing.issuedByDeviceId === cmd.deviceId && (existing.serviceId === cmd.serviceId || existing.transfers > 0);
      if (!sameRequest) {
        return fail('IDEMPOTENCY_CONFLICT');
      }
      return done([], existing.id);
    }
  }
  const service = state.services.get(cmd.serviceId);
  if (!service) return fail('SERVICE_NOT_FOUND');
  const availability = serviceAvailability(state, service, ctx.now);
  if (availability.reason === 'ISSUING_PAUSED') return fail('ISSUING_PAUSED', `${hallError('ISSUING_PAUSED').message}（${availability.pauseReason}）`);
  if (availability.reason) return fail(availability.reason);

  const businessDate = readHallClock(ctx.now, state.settings.timeZone).businessDate;
  let idHash: string | null = null;
  let idMasked: string | null = null;
  let age: number | null = null;
  if (cmd.idNumber !== undefined) {
    const problem = idNumberProblem(cmd.idNumber);
    if (problem) return fail(problem);
    const id = normaliseIdNumber(cmd.idNumber);
    idHash = ctx.hashIdNumber(id);
    idMasked = maskIdNumber(id);
    const birth = birthDateOf(id);
    age = birth ? ageOn(birth, businessDate) : null;
    if (age !== null && age < 0) return fail('ID_BIRTH_DATE'); // born after today
  }
  if (service.idRequired && idHash === null) return fail('ID_REQUIRED');
  // PIPL data minimisation: keep the ID only where a rule needs it (real-name service, per-ID limit, age priority).
  if (!service.idRequired && service.perIdDailyLimit === null && cmd.priority !== 'elderly') {
    idHash = null;
    idMasked = null;
  }
  if (cmd.priority === 'elderly') {
    if (age === null) return fail('ID_REQUIRED', '年龄优先需要输入身份证号');
    if (age < state.settings.priorityAge) return fail('PRIORITY_NOT_ELIGIBLE', `年龄优先需年满${state.settings.priorityAge}周岁`);
  }
  if (idHash !== null && service.perIdDailyLimit !== null) {
    let count = 0;
    for (const t of state.tickets.values()) {
      if (t.idHash === idHash && t.serviceId === service.id && t.businessDate === businessDate) count++;
    }
    if (count >= service.perIdDailyLimit) return fail('ID_DAILY_LIMIT');
  }

  const dailySeq = issuedToday(state, businessDate, service.id) + 1;
  const ticketId = ctx.newTicketId();
  return done(
    [
      {
        type: 'ticket.issued',
        at: ctx.now,
        ticketId,
        number: formatTicketNumber(service.prefix, dailySeq),
        dailySeq,
        serviceId: service.id,
        businessDate,
        priority: cmd.priority ?? null,
        idHash,
        idMasked,
        trackingToken: ctx.newTrackingToken(),
        idempotencyKey: cmd.idempotencyKey,
        deviceId: cmd.deviceId,
      },
    ],
    ticketId,
  );
}

interface CounterPair {
  counter: Counter;
  cs: CounterState;
}

function currentTicket(state: HallState, cs: CounterState): Ticket | null {
  return cs.currentTicketId ? (state.tickets.get(cs.currentTicketId) ?? null) : null;
}

/** Checks shared by the calling commands: signed in, not paused, nothing in hand. */
function readyToCall(cs: CounterState): Decision | null {
  if (cs.status === 'paused') return fail('COUNTER_PAUSED');
  if (cs.status === 'calling' || cs.status === 'serving') return fail('COUNTER_BUSY');
  return null;
}

function decideIssuing(state: HallState, cmd: Extract<Command, { type: 'pause-issuing' | 'resume-issuing' }>, ctx: EngineContext): Decision {
  if (!state.services.has(cmd.serviceId)) return fail('SERVICE_NOT_FOUND');
  const paused = state.issuingPauses.has(cmd.serviceId);
  if (cmd.type === 'pause-issuing') {
    if (paused) return fail('ISSUING_ALREADY_PAUSED');
    return done([{ type: 'service.issuing_paused', at: ctx.now, serviceId: cmd.serviceId, reason: cmd.reason }]);
  }
  if (!paused) return fail('ISSUING_NOT_PAUSED');
  return done([{ type: 'service.issuing_resumed', at: ctx.now, serviceId: cmd.serviceId }]);
}

/**
 * A counter's services changed by a hall manager (or given back the catalogue's). Any status: a counter
 * nobody works at yet may be made ready for the clerk who will. The visitor at the counter now stays
 * theirs; visitors directed to it or suspended for it stay so.
 */
function decideServices(state: HallState, cmd: Extract<Command, { type: 'set-services' | 'reset-services' }>, ctx: EngineContext): Decision {
  const counter = state.counters.get(cmd.counterId);
  if (!counter) return fail('COUNTER_NOT_FOUND');
  const services = cmd.type === 'reset-services' ? counter.catalogueServices : cmd.services;
  if (cmd.type === 'set-services') {
    if (services.length === 0) return fail('VALIDATION_FAILED', 'a counter needs at least one service');
    const seen = new Set<string>();
    for (const s of services) {
      if (!state.services.has(s.serviceId)) return fail('SERVICE_NOT_FOUND');
      if (seen.has(s.serviceId)) return fail('VALIDATION_FAILED', `service ${s.serviceId} named twice`);
      seen.add(s.serviceId);
    }
  }
  if (sameServices(counter.services, services)) return done([]); // as asked already (a retry, or a reset of a counter not changed)
  // what the manager decided on is no longer what the counter does (another manager, the close of the day)
  if (cmd.expectedSetAt !== undefined && cmd.expectedSetAt !== counter.servicesSetAt) return fail('COUNTER_CHANGED');
  return done([{ type: 'counter.services_set', at: ctx.now, counterId: counter.id, services: serviceLevels(services) }]);
}

function decideCounter(
  state: HallState,
  cmd: Exclude<Command, { type: 'issue' | 'close-day' | 'pause-issuing' | 'resume-issuing' | 'set-services' | 'reset-services' }>,
  ctx: EngineContext,
): Decision {
  const counter = state.counters.get(cmd.counterId);
  const cs = state.counterStates.get(cmd.counterId);
  if (!counter || !cs) return fail('COUNTER_NOT_FOUND');
  const now = ctx.now;
  const counterId = counter.id;

  if (cmd.type === 'sign-in') {
    if (cs.status !== 'signed_out') return cs.staffId === cmd.staffId ? done([]) : fail('ALREADY_SIGNED_IN');
    // One clerk, one counter: signing in here signs the clerk out where they were (a terminal that
    // died, a counter left without signing out), unless a visitor is still there with them.
    const events: HallEvent[] = [];
    for (const [otherId, other] of state.counterStates) {
      if (other.staffId !== cmd.staffId) continue;
      if (currentTicket(state, other)) return fail('STAFF_BUSY');
      events.push({ type: 'counter.signed_out', at: now, counterId: otherId, staffId: cmd.staffId });
    }
    events.push({ type: 'counter.signed_in', at: now, counterId, staffId: cmd.staffId });
    return done(events);
  }
  if (cs.status === 'signed_out' || cs.staffId === null) return fail('NOT_SIGNED_IN');
  const pair: CounterPair = { counter, cs };
  const current = currentTicket(state, cs);

  switch (cmd.type) {
    case 'sign-out':
      if (current) return fail('COUNTER_BUSY');
      return done([{ type: 'counter.signed_out', at: now, counterId, staffId: cs.staffId }]);

    case 'release': {
      if (cmd.expectedTicketId !== undefined && cmd.expectedTicketId !== (current?.id ?? null)) return fail('COUNTER_CHANGED');
      if (cmd.toCounterId !== null) {
        if (!state.counters.has(cmd.toCounterId)) return fail('COUNTER_NOT_FOUND');
        if (cmd.toCounterId === counterId) return fail('TRANSFER_TO_SELF');
      }
      const events: HallEvent[] = [];
      if (current) {
        events.push(
          cmd.toCounterId === null
            ? { type: 'ticket.returned', at: now, ticketId: current.id, counterId }
            : { type: 'ticket.transferred', at: now, ticketId: current.id, fromCounterId: counterId, toServiceId: null, toCounterId: cmd.toCounterId },
        );
      }
      // visitors suspended here for this counter only could otherwise be resumed nowhere but at a counter
      // nobody works at: any counter serving their service may resume them
      for (const t of state.tickets.values()) {
        if (t.status === 'suspended' && t.counterId === counterId && t.suspendReturn === 'this_counter') {
          events.push({ type: 'ticket.opened_to_any_counter', at: now, ticketId: t.id, counterId });
        }
      }
      events.push({ type: 'counter.signed_out', at: now, counterId, staffId: cs.staffId });
      return done(events, current?.id ?? null);
    }

    case 'call-next': {
      const blocked = readyToCall(cs);
      if (blocked) return blocked;
      const next = pickNext(state, pair.counter, pair.cs, now);
      if (!next) return fail('NO_TICKET_WAITING');
      return done([{ type: 'ticket.called', at: now, ticketId: next.ticket.id, counterId, rule: next.rule }], next.ticket.id);
    }

    case 'call': {
      const blocked = readyToCall(cs);
      if (blocked) return blocked;
      const t = state.tickets.get(cmd.ticketId);
      if (!t) return fail('TICKET_NOT_FOUND');
      if (t.status !== 'waiting') return fail('TICKET_NOT_WAITING');
      if (!counterMayCall(counter, t)) return fail(t.directedCounterId ? 'NOT_YOUR_TICKET' : 'SERVICE_NOT_SERVED');
      return done([{ type: 'ticket.called', at: now, ticketId: t.id, counterId, rule: 'specific' }], t.id);
    }

    case 'recall': {
      if (!current) return fail('NO_CURRENT_TICKET');
      if (current.status !== 'called') return fail('TICKET_ALREADY_STARTED');
      if (current.recalls >= state.settings.recallLimit) {
        return done([{ type: 'ticket.no_show', at: now, ticketId: current.id, counterId, automatic: true }], current.id);
      }
      return done([{ type: 'ticket.recalled', at: now, ticketId: current.id, counterId, recalls: current.recalls + 1 }], current.id);
    }

    case 'start':
      if (!current) return fail('NO_CURRENT_TICKET');
      if (current.status !== 'called') return fail('TICKET_ALREADY_STARTED');
      return done([{ type: 'ticket.started', at: now, ticketId: current.id, counterId }], current.id);

    case 'complete': {
      if (!current) return fail('NO_CURRENT_TICKET');
      if (current.status !== 'serving' || current.startedAt === null) return fail('TICKET_NOT_SERVING');
      const servedMs = current.servedMs + Math.max(0, now - current.startedAt);
      return done([{ type: 'ticket.completed', at: now, ticketId: current.id, counterId, outcome: cmd.outcome, servedMs }], current.id);
    }

    case 'no-show':
      if (!current) return fail('NO_CURRENT_TICKET');
      if (current.status !== 'called') return fail('TICKET_ALREADY_STARTED');
      return done([{ type: 'ticket.no_show', at: now, ticketId: current.id, counterId, automatic: false }], current.id);

    case 'transfer': {
      if (!current) return fail('NO_CURRENT_TICKET');
      if (cmd.toServiceId !== null) {
        if (!state.services.has(cmd.toServiceId)) return fail('SERVICE_NOT_FOUND');
        if (cmd.toServiceId === current.serviceId) return fail('TRANSFER_TO_SELF');
      }
      if (cmd.toCounterId !== null) {
        if (!state.counters.has(cmd.toCounterId)) return fail('COUNTER_NOT_FOUND');
        if (cmd.toCounterId === counterId) return fail('TRANSFER_TO_SELF');
      }
      if (cmd.toServiceId === null && cmd.toCounterId === null) return fail('VALIDATION_FAILED');
      return done(
        [
          {
            type: 'ticket.transferred',
            at: now,
            ticketId: current.id,
            fromCounterId: counterId,
            toServiceId: cmd.toServiceId,
            toCounterId: cmd.toCounterId,
          },
        ],
        current.id,
      );
    }

    case 'suspend':
      if (!current) return fail('NO_CURRENT_TICKET');
      if (current.status !== 'serving') return fail('TICKET_NOT_SERVING');
      return done([{ type: 'ticket.suspended', at: now, ticketId: current.id, counterId, returnTo: cmd.returnTo }], current.id);

    case 'resume': {
      const t = state.tickets.get(cmd.ticketId);
      if (!t) return fail('TICKET_NOT_FOUND');
      if (t.status !== 'suspended') return fail('TICKET_NOT_SUSPENDED');
      if (t.counterId !== counterId) {
        if (t.suspendReturn === 'this_counter') return fail('NOT_YOUR_TICKET');
        if (!counter.levels.has(t.serviceId)) return fail('SERVICE_NOT_SERVED');
      }
      return done([{ type: 'ticket.resumed', at: now, ticketId: t.id, counterId }], t.id);
    }

    case 'reactivate': {
      const t = state.tickets.get(cmd.ticketId);
      if (!t) return fail('TICKET_NOT_FOUND');
      if (t.status !== 'no_show' || t.finishedAt === null) return fail('TICKET_NOT_NO_SHOW');
      if (now - t.finishedAt > state.settings.noShowGraceMinutes * MINUTE_MS) return fail('GRACE_PERIOD_OVER');
      if (t.counterId !== counterId && !counter.levels.has(t.serviceId)) return fail('SERVICE_NOT_SERVED');
      return done([{ type: 'ticket.reactivated', at: now, ticketId: t.id, counterId }], t.id);
    }

    case 'pause':
      if (cs.status === 'paused') return fail('COUNTER_PAUSED');
      if (current) return fail('COUNTER_BUSY');
      return done([{ type: 'counter.paused', at: now, counterId, reason: cmd.reason }]);

    case 'unpause':
      if (cs.status !== 'paused') return fail('COUNTER_NOT_PAUSED');
      return done([{ type: 'counter.unpaused', at: now, counterId }]);
  }
}

/**
 * Closes earlier business days: cancels their unfinished tickets (the hall closed with them still open),
 * signs out the clerks signed in since then, resumes issuing paused on those days and gives counters
 * whose services a manager changed on those days the catalogue's back.
 */
function decideCloseDay(state: HallState, ctx: EngineContext): Decision {
  const today = readHallClock(ctx.now, state.settings.timeZone).businessDate;
  const events: HallEvent[] = [];
  for (const t of state.tickets.values()) {
    if (t.businessDate < today && !isFinal(t.status)) {
      events.push({ type: 'ticket.cancelled', at: ctx.now, ticketId: t.id, reason: 'day_closed' });
    }
  }
  // A new day starts with every counter signed out: a clerk who went home without signing out does
  // not hold the counter (or themselves) for tomorrow.
  for (const [counterId, cs] of state.counterStates) {
    if (cs.staffId === null || cs.status === 'signed_out') continue;
    if (readHallClock(cs.statusSince, state.settings.timeZone).businessDate >= today) continue;
    events.push({ type: 'counter.signed_out', at: ctx.now, counterId, staffId: cs.staffId });
  }
  // and with every service issuing again: a stop is for the day it was made on
  for (const [serviceId, pause] of state.issuingPauses) {
    if (readHallClock(pause.since, state.settings.timeZone).businessDate < today) events.push({ type: 'service.issuing_resumed', at: ctx.now, serviceId });
  }
  // and every counter calling for the catalogue's services again (潮汐窗口 are for the day)
  for (const counter of state.counters.values()) {
    if (counter.servicesSetAt === null || readHallClock(counter.servicesSetAt, state.settings.timeZone).businessDate >= today) continue;
    events.push({ type: 'counter.services_set', at: ctx.now, counterId: counter.id, services: serviceLevels(counter.catalogueServices) });
  }
  return done(events);
}

/**
 * Decides a command. Pure: reads the state, never changes it.
 * @example decide(state, { type: 'call-next', counterId: 'c1' }, ctx) // → { ok: true, events: [ticket.called] }
 */
export function decide(state: HallState, cmd: Command, ctx: EngineContext): Decision {
  switch (cmd.type) {
    case 'issue':
      return decideIssue(state, cmd, ctx);
    case 'close-day':
      return decideCloseDay(state, ctx);
    case 'pause-issuing':
    case 'resume-issuing':
      return decideIssuing(state, cmd, ctx);
    case 'set-services':
    case 'reset-services':
      return decideServices(state, cmd, ctx);
    default:
      return decideCounter(state, cmd, ctx);
  }
}
