// The hall state the engine decides on: catalogue, today's tickets, counters. Plain data, no I/O.
import { sameServices, type CategoryConfig, type CounterConfig, type HallSettings, type ServiceConfig } from '../../shared/catalogue.ts';
import type {
  CallRule,
  CounterStatus,
  Outcome,
  PriorityKind,
  ServiceLevel,
  SuspendReturn,
  TicketStatus,
} from '../../shared/protocol.ts';

export interface Ticket {
  id: string;
  number: string;
  /** the daily sequence that made the number */
  dailySeq: number;
  serviceId: string;
  businessDate: string;
  issuedAt: number;
  /** hall seq of the commit that issued it: the tie-break for equal queue times */
  issueSeq: number;
  /** the time the queue orders by: issue time, kept across transfers and suspensions */
  queueAt: number;
  status: TicketStatus;
  priority: PriorityKind | null;
  idHash: string | null;
  idMasked: string | null;
  trackingToken: string;
  idempotencyKey: string | null;
  issuedByDeviceId: string | null;
  recalls: number;
  /** the counter that called, serves or suspended it */
  counterId: string | null;
  /** only this counter may call it (transferred to a counter, returning from suspension) */
  directedCounterId: string | null;
  calledAt: number | null;
  startedAt: number | null;
  /** handling time accumulated before the current serving spell */
  servedMs: number;
  finishedAt: number | null;
  outcome: Outcome | null;
  chosenBy: CallRule | null;
  transfers: number;
  suspendReturn: SuspendReturn | null;
  cancelReason: string | null;
}

export interface CounterState {
  id: string;
  status: CounterStatus;
  staffId: string | null;
  currentTicketId: string | null;
  pauseReason: string | null;
  /** priority tickets called in a row, for the anti-starvation rule */
  consecutivePriority: number;
  statusSince: number;
}

export interface Counter extends CounterConfig {
  /** `services` as a map; both are what the counter calls for now */
  levels: Map<string, ServiceLevel>;
  /** what the catalogue says it calls for: `services` again after the close of the day, or a manager's reset */
  catalogueServices: CounterConfig['services'];
  /** when a hall manager last changed `services` away from the catalogue's (潮汐窗口), null while they are the catalogue's */
  servicesSetAt: number | null;
}

export interface HallState {
  settings: HallSettings;
  categories: CategoryConfig[];
  services: Map<string, ServiceConfig>;
  counters: Map<string, Counter>;
  counterStates: Map<string, CounterState>;
  /** every ticket of the current business day plus any unfinished older ones */
  tickets: Map<string, Ticket>;
  byIdempotencyKey: Map<string, string>;
  /** `${businessDate}|${serviceId}` → last daily sequence used */
  dailySeq: Map<string, number>;
  /** services a hall manager stopped issuing for (service id → why, since when), until resumed or the close of the day (a server restart keeps them) */
  issuingPauses: Map<string, { reason: string; since: number }>;
  /** last committed hall seq */
  seq: number;
}

export function createHallState(input: {
  settings: HallSettings;
  categories: CategoryConfig[];
  services: ServiceConfig[];
  counters: CounterConfig[];
  now: number;
}): HallState {
  const counters = new Map<string, Counter>();
  const counterStates = new Map<string, CounterState>();
  for (const c of input.counters) {
    const counter: Counter = { ...c, levels: new Map(), catalogueServices: c.services, servicesSetAt: null };
    setCounterServices(counter, c.services, input.now);
    counters.set(c.id, counter);
    counterStates.set(c.id, {
      id: c.id,
      status: 'signed_out',
      staffId: null,
      currentTicketId: null,
      pauseReason: null,
      consecutivePriority: 0,
      statusSince: input.now,
    });
  }
  return {
    settings: input.settings,
    categories: input.categories,
    services: new Map(input.services.map((s) => [s.id, s])),
    counters,
    counterStates,
    tickets: new Map(),
    byIdempotencyKey: new Map(),
    dailySeq: new Map(),
    issuingPauses: new Map(),
    seq: 0,
  };
}

export function isFinal(status: TicketStatus): boolean {
  return status === 'completed' || status === 'no_show' || status === 'cancelled';
}

/** Gives a counter `services` to call for (a manager's change, a reset, or one loaded at start); `at`: when. */
export function setCounterServices(counter: Counter, services: CounterConfig['services'], at: number): void {
  counter.services = services;
  counter.levels = new Map(services.map((s) => [s.serviceId, s.level]));
  counter.servicesSetAt = sameServices(services, counter.catalogueServices) ? null : at;
}

export function dailySeqKey(businessDate: string, serviceId: string): string {
  return `${businessDate}|${serviceId}`;
}

/** Queue order among equals: earlier queue time first, then earlier issue. */
export function compareQueueOrder(a: Ticket, b: Ticket): number {
  return a.queueAt - b.queueAt || a.issueSeq - b.issueSeq;
}
