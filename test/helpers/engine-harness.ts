// A pure harness around the engine: an injected clock, deterministic ids, and `decide` + `applyEvent`
// exactly as the store runs them (apply the events, then one hall seq per committed command).
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { CategoryConfig, CounterConfig, HallSettings, ServiceConfig, sameServices } from '../../shared/catalogue.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import { checkCharacter } from '../../shared/id-number.ts';
import { decide, type Command, type Decision, type EngineContext } from '../../server/engine/engine.ts';
import { applyEvent, type HallEvent } from '../../server/engine/events.ts';
import { createHallState, type CounterState, type HallState, type Ticket } from '../../server/engine/state.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

/** Epoch ms of a wall-clock time in Asia/Shanghai (UTC+8, no daylight saving). */
export function shanghai(date: string, hhmm: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, min] = hhmm.split(':').map(Number) as [number, number];
  return Date.UTC(y, m - 1, d, h - 8, min);
}

/** A valid 18-digit ID number for a birth date (YYYYMMDD): region + birth date + sequence + computed check character. */
export function makeIdNumber(birth: string, sequence = 123, region = '110105'): string {
  const first17 = `${region}${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

/** The keyed hash a hall would use; a test stand-in for the HMAC with the hall's secret. */
export function testHashIdNumber(idNumber: string): string {
  return createHash('sha256').update(`test-secret|${idNumber}`).digest('hex');
}

export interface CatalogueInput {
  settings?: Record<string, unknown>;
  categories?: unknown[];
  services: unknown[];
  counters: unknown[];
}

/** Parses a catalogue with the real zod schemas (so defaults apply) and builds the hall state. */
export function buildState(input: CatalogueInput, now: number): HallState {
  return createHallState({
    settings: HallSettings.parse({ name: { zh: '测试大厅', en: 'Test hall' }, ...input.settings }),
    categories: (input.categories ?? [{ id: 'general', names: { zh: '综合', en: 'General' } }]).map((c) => CategoryConfig.parse(c)),
    services: input.services.map((s) => ServiceConfig.parse(s)),
    counters: input.counters.map((c) => CounterConfig.parse(c)),
    now,
  });
}

export type Committed = Extract<Decision, { ok: true }>;

export class EngineHarness {
  state: HallState;
  now: number;
  /** every committed event, in order */
  readonly log: HallEvent[] = [];
  /** called after each event is applied (a command may commit several, e.g. close-day) */
  onEvent: ((event: HallEvent, state: HallState) => void) | null = null;
  private ticketCounter = 0;
  private tokenCounter = 0;

  constructor(state: HallState, now: number) {
    this.state = state;
    this.now = now;
  }

  static fromCatalogue(input: CatalogueInput, now: number): EngineHarness {
    return new EngineHarness(buildState(input, now), now);
  }

  advanceMinutes(minutes: number): this {
    this.now += minutes * MINUTE_MS;
    return this;
  }

  advanceMs(ms: number): this {
    this.now += ms;
    return this;
  }

  context(): EngineContext {
    return {
      now: this.now,
      newTicketId: () => `t${++this.ticketCounter}`,
      newTrackingToken: () => `tok${++this.tokenCounter}`,
      hashIdNumber: testHashIdNumber,
    };
  }

  /** Decides without committing. */
  decide(cmd: Command): Decision {
    return decide(this.state, cmd, this.context());
  }

  /** Decides and, when accepted, commits like the store: apply each event, then one seq per command with events. */
  run(cmd: Command): Decision {
    const decision = this.decide(cmd);
    if (decision.ok && decision.events.length > 0) {
      for (const e of decision.events) {
        applyEvent(this.state, e);
        this.log.push(e);
        this.onEvent?.(e, this.state);
      }
      this.state.seq += 1;
    }
    return decision;
  }

  /** Runs a command that must be accepted. */
  ok(cmd: Command): Committed {
    const decision = this.run(cmd);
    if (!decision.ok) throw new Error(`${cmd.type} refused: ${decision.error.code} ${decision.error.message}`);
    return decision;
  }

  /** Runs a command that must be refused with `code`, and checks the state did not change. */
  refuse(cmd: Command, code: ErrorCode): void {
    const before = structuredClone(this.state);
    const decision = this.run(cmd);
    expect(decision).toMatchObject({ ok: false, error: { code } });
    if (!decision.ok) expect(typeof decision.error.message).toBe('string');
    expect(this.state).toEqual(before);
  }

  issue(serviceId: string, extra: { idNumber?: string; priority?: Ticket['priority']; key?: string; deviceId?: string } = {}): Ticket {
    const decision = this.ok({
      type: 'issue',
      serviceId,
      idempotencyKey: extra.key ?? null,
      idNumber: extra.idNumber,
      priority: extra.priority ?? undefined,
      deviceId: extra.deviceId ?? 'kiosk-1',
    });
    return this.ticket(decision.ticketId ?? '');
  }

  ticket(id: string): Ticket {
    const t = this.state.tickets.get(id);
    if (!t) throw new Error(`no ticket ${id}`);
    return t;
  }

  counter(id: string): CounterState {
    const c = this.state.counterStates.get(id);
    if (!c) throw new Error(`no counter ${id}`);
    return c;
  }

  signIn(counterId: string, staffId = `staff-${counterId}`): void {
    this.ok({ type: 'sign-in', counterId, staffId });
  }

  /** call-next; returns the called ticket and the rule that chose it. */
  callNext(counterId: string): { ticket: Ticket; rule: string } {
    const d = this.ok({ type: 'call-next', counterId });
    const called = d.events[0];
    if (called?.type !== 'ticket.called') throw new Error('call-next did not call');
    return { ticket: this.ticket(called.ticketId), rule: called.rule };
  }

  /** call-next, start, complete: serves the next ticket through. */
  serveNext(counterId: string): Ticket {
    const { ticket } = this.callNext(counterId);
    this.ok({ type: 'start', counterId });
    this.ok({ type: 'complete', counterId, outcome: 'concluded' });
    return ticket;
  }
}

/** Each counter's current ticket is called/serving at that counter, and every called/serving ticket is some counter's current one. */
export function stateProblems(state: HallState): string[] {
  const problems: string[] = [];
  const held = new Set<string>();
  for (const cs of state.counterStates.values()) {
    if (cs.currentTicketId === null) {
      if (cs.status === 'calling' || cs.status === 'serving') problems.push(`${cs.id} is ${cs.status} with no ticket`);
      continue;
    }
    held.add(cs.currentTicketId);
    const t = state.tickets.get(cs.currentTicketId);
    if (!t) {
      problems.push(`${cs.id} holds unknown ticket ${cs.currentTicketId}`);
      continue;
    }
    if (t.counterId !== cs.id) problems.push(`${cs.id} holds ${t.number} whose counter is ${t.counterId}`);
    const expected = t.status === 'called' ? 'calling' : t.status === 'serving' ? 'serving' : null;
    if (expected === null) problems.push(`${cs.id} holds ${t.number} in status ${t.status}`);
    else if (cs.status !== expected) problems.push(`${cs.id} is ${cs.status} while ${t.number} is ${t.status}`);
  }
  for (const t of state.tickets.values()) {
    if ((t.status === 'called' || t.status === 'serving') && !held.has(t.id)) problems.push(`${t.number} is ${t.status} but no counter holds it`);
  }
  for (const [serviceId, pause] of state.issuingPauses) {
    if (!state.services.has(serviceId)) problems.push(`issuing paused for unknown service ${serviceId}`);
    if (pause.reason.trim() === '') problems.push(`issuing for ${serviceId} paused without a reason`);
  }
  for (const counter of state.counters.values()) {
    for (const s of counter.services) if (!state.services.has(s.serviceId)) problems.push(`${counter.id} calls for unknown service ${s.serviceId}`);
    if (counter.levels.size !== counter.services.length || counter.services.some((s) => counter.levels.get(s.serviceId) !== s.level)) problems.push(`${counter.id}'s levels are not its services`);
    if ((counter.servicesSetAt === null) !== sameServices(counter.services, counter.catalogueServices)) problems.push(`${counter.id}'s servicesSetAt does not say whether its services are the catalogue's`);
  }
  return problems;
}

const general = 'general';
const svc = (id: string, prefix: string, extra: Record<string, unknown> = {}) => ({
  id,
  code: id.toUpperCase(),
  prefix,
  categoryId: general,
  names: { zh: `事项${prefix}`, en: `Service ${prefix}` },
  ...extra,
});
const counter = (id: string, number: number, primary: string[], backup: string[] = []) => ({
  id,
  number,
  name: `${number}号窗口`,
  kind: 'comprehensive',
  services: [...primary.map((serviceId) => ({ serviceId, level: 'primary' })), ...backup.map((serviceId) => ({ serviceId, level: 'backup' }))],
});

/** The small hall the unit tests use. Monday 2026-03-02 09:00 in Asia/Shanghai is the default start. */
export const UNIT_DAY = '2026-03-02';
export const UNIT_START = shanghai(UNIT_DAY, '09:00');

export function unitCatalogue(settings: Record<string, unknown> = {}): CatalogueInput {
  return {
    settings,
    services: [
      svc('a', 'A', { maxWaitMinutes: 30 }),
      svc('b', 'B', { maxWaitMinutes: 30 }),
      svc('c', 'C', { maxWaitMinutes: 60 }),
      svc('real-name', 'D', { idRequired: true, perIdDailyLimit: 2 }),
      svc('quota', 'Q', { dailyQuota: 2 }),
      svc('hours', 'H', { issuingPeriods: [{ start: '08:30', end: '11:30' }, { start: '13:30', end: '17:00' }] }),
      svc('closed', 'X', { active: false }),
    ],
    counters: [
      counter('k1', 1, ['a'], ['b']),
      counter('k2', 2, ['b'], ['a']),
      counter('k3', 3, ['c']),
      counter('k4', 4, ['a', 'real-name', 'quota', 'hours']),
    ],
  };
}

export function unitHall(settings: Record<string, unknown> = {}, now = UNIT_START): EngineHarness {
  return EngineHarness.fromCatalogue(unitCatalogue(settings), now);
}
