// A whole simulated day in the demo hall, driven only through `decide` + `applyEvent` on the injected
// clock with a seeded PRNG: 2,000+ tickets, 8 counters, recalls, no-shows, transfers, suspensions, pauses,
// priority visitors. Invariants are checked along the way and after the day is closed.
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../shared/errors.ts';
import { OUTCOMES, type CallRule, type Outcome, type PriorityKind, type SuspendReturn } from '../shared/protocol.ts';
import { DEMO_CATALOGUE } from '../server/demo-hall.ts';
import type { Command, Decision } from '../server/engine/engine.ts';
import type { HallEvent } from '../server/engine/events.ts';
import { createHallState, isFinal, type Counter, type HallState, type Ticket } from '../server/engine/state.ts';
import { EngineHarness, MINUTE_MS, makeIdNumber, shanghai, stateProblems } from './helpers/engine-harness.ts';
import { mulberry32 } from './helpers/random.ts';

/** The whole state as text (Maps as entry lists): cheaper than a deep compare on a day's worth of tickets. */
function fingerprint(state: HallState): string {
  return JSON.stringify(state, (_key, value: unknown) => (value instanceof Map ? [...value.entries()] : value));
}


const SECOND_MS = 1000;
const DAY = '2026-03-03';
const NEXT_DAY = '2026-03-04';

// 潮汐窗口: late in the afternoon the social-insurance queue is long, so a hall manager has the pickup
// counter (c6) call for it as its main work from 16:00 (pickups become its backup) and leaves it so: the
// close of the day resets it; before lunch the assisted counter (c7) calls for passports only, 11:00–11:30
const TIDAL = {
  c6: { from: shanghai(DAY, '16:00'), to: Number.POSITIVE_INFINITY, services: [{ serviceId: 'social-insurance', level: 'primary' as const }, { serviceId: 'pickup', level: 'backup' as const }] },
  c7: { from: shanghai(DAY, '11:00'), to: shanghai(DAY, '11:30'), services: [{ serviceId: 'passport', level: 'primary' as const }] },
};

interface Plan {
  /** the visitor never comes to the counter */
  absent: boolean;
  /** the clerk gives up by hand (no-show) instead of recalling until the automatic no-show */
  manualNoShow: boolean;
  /** recalls before a late visitor arrives */
  lateRecalls: number;
  handlingMs: number;
  end: 'complete' | 'transfer-service' | 'transfer-counter' | 'suspend';
}

interface Desk {
  id: string;
  counter: Counter;
  nextAt: number;
  pauseUntil: number;
  plan: Plan | null;
}

interface CallRecord {
  counterId: string;
  ticketId: string;
  /** the ticket's service when it was called (a transfer may change it later) */
  serviceId: string;
  rule: CallRule;
  at: number;
}

/** What a waiting ticket looked like just before a call. */
interface WaitingView {
  id: string;
  serviceId: string;
  priority: PriorityKind | null;
  directedCounterId: string | null;
  issueSeq: number;
  touched: boolean;
}

interface DayOptions {
  /** share of visitors who are over the priority age and show their ID */
  elderlyShare: number;
  /** local time the hall stops issuing (the day still ends at 17:00 with the leftovers served after) */
  issueUntil: string;
}

const BUSY_DAY: DayOptions = { elderlyShare: 0.06, issueUntil: '17:00' };

function simulateDay(seed: number, options: DayOptions = BUSY_DAY) {
  const rnd = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

  const settings = DEMO_CATALOGUE.settings;
  if (!settings) throw new Error('the demo catalogue has settings');
  const dayStart = shanghai(DAY, '08:30');
  const dayEnd = shanghai(DAY, '17:00');
  const issueEnd = shanghai(DAY, options.issueUntil);
  const h = new EngineHarness(
    createHallState({ settings, categories: DEMO_CATALOGUE.categories, services: DEMO_CATALOGUE.services, counters: DEMO_CATALOGUE.counters, now: dayStart }),
    dayStart,
  );
  const burst = settings.priorityBurst;
  const grace = settings.noShowGraceMinutes * MINUTE_MS;

  const stats = {
    issued: 0,
    refusedIssues: new Map<string, number>(),
    retries: 0,
    recalls: 0,
    autoNoShows: 0,
    manualNoShows: 0,
    reactivations: 0,
    lateReactivations: 0,
    transfers: 0,
    suspensions: 0,
    resumes: 0,
    pauses: 0,
    releases: 0,
    returned: 0,
    priorityIssued: 0,
    specificCalls: 0,
    rules: new Map<CallRule, number>(),
    refusalsChecked: 0,
  };
  const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

  // people (all under 60) and elders (born 1950): raw ID numbers only ever go to the engine inside `issue`
  const people = Array.from({ length: 900 }, (_, i) => makeIdNumber(`${between(1967, 2004)}${String(between(1, 12)).padStart(2, '0')}${String(between(1, 28)).padStart(2, '0')}`, i % 1000, pick(['110105', '320102', '440304', '510107'])));
  const elders = Array.from({ length: 300 }, (_, i) => makeIdNumber(`1950${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}`, i, '330106'));
  const rawIds = new Set([...people, ...elders]);

  const services = DEMO_CATALOGUE.services;
  const serviceWeights = new Map<string, number>([['id-card', 4], ['social-insurance', 3], ['medical-insurance', 3], ['consult', 3], ['pickup', 3], ['pension', 2], ['tax', 2], ['real-estate', 2], ['passport', 2], ['company', 1], ['hukou', 1], ['housing-fund', 1]]);
  const weighted = services.flatMap((s) => Array.from({ length: serviceWeights.get(s.id) ?? 1 }, () => s));

  const desks: Desk[] = DEMO_CATALOGUE.counters.map((c) => {
    const counter = h.state.counters.get(c.id);
    if (!counter) throw new Error(c.id);
    return { id: c.id, counter, nextAt: dayStart, pauseUntil: 0, plan: null };
  });
  const staffOf = (deskId: string) => `clerk-${deskId}`;

  const calls: CallRecord[] = [];
  const consecutivePriority = new Map<string, number>(desks.map((d) => [d.id, 0]));
  const touched = new Set<string>(); // transferred, suspended or reactivated at some point
  const servedSpellStart = new Map<string, number>();
  const servedMsExpected = new Map<string, number>();
  const suspended: { ticketId: string; counterId: string; returnTo: SuspendReturn; returnAt: number }[] = [];
  const noShowReturns: { ticketId: string; counterId: string; noShowAt: number; returnAt: number }[] = [];
  const issuedRequests: Extract<Command, { type: 'issue' }>[] = [];
  const requestTicket = new Map<string, string>();
  const problems: string[] = [];
  let commands = 0;
  let keySeq = 0;

  /** Every committed event, followed by our own bookkeeping (kept independent of the engine's). */
  const record = (events: HallEvent[]) => {
    for (const e of events) {
      switch (e.type) {
        case 'ticket.called':
          calls.push({ counterId: e.counterId, ticketId: e.ticketId, serviceId: h.ticket(e.ticketId).serviceId, rule: e.rule, at: e.at });
          consecutivePriority.set(e.counterId, e.rule === 'priority' ? (consecutivePriority.get(e.counterId) ?? 0) + 1 : 0);
          bump(stats.rules, e.rule);
          break;
        case 'counter.signed_in':
          consecutivePriority.set(e.counterId, 0);
          break;
        case 'ticket.started':
          servedSpellStart.set(e.ticketId, e.at);
          break;
        case 'ticket.completed':
        case 'ticket.suspended':
        case 'ticket.transferred':
        case 'ticket.returned': {
          const start = servedSpellStart.get(e.ticketId);
          if (start !== undefined) servedMsExpected.set(e.ticketId, (servedMsExpected.get(e.ticketId) ?? 0) + e.at - start);
          servedSpellStart.delete(e.ticketId);
          // a returned ticket keeps its queue time: it stays under the FIFO check
          if (e.type !== 'ticket.completed' && e.type !== 'ticket.returned') touched.add(e.ticketId);
          if (e.type === 'ticket.returned') stats.returned++;
          if (e.type === 'ticket.transferred') stats.transfers++;
          if (e.type === 'ticket.suspended') stats.suspensions++;
          break;
        }
        case 'ticket.reactivated':
          touched.add(e.ticketId);
          stats.reactivations++;
          break;
        case 'ticket.no_show':
          if (e.automatic) stats.autoNoShows++;
          else stats.manualNoShows++;
          if (rnd() < 0.4) noShowReturns.push({ ticketId: e.ticketId, counterId: e.counterId, noShowAt: e.at, returnAt: e.at + between(1, 45) * MINUTE_MS });
          break;
        case 'ticket.recalled':
          stats.recalls++;
          break;
        case 'ticket.resumed':
          stats.resumes++;
          break;
        case 'counter.paused':
          stats.pauses++;
          break;
        default:
          break;
      }
    }
  };

  /** After every event: each counter's ticket is called/serving there. */
  h.onEvent = (e, state) => {
    for (const cs of state.counterStates.values()) {
      if (cs.currentTicketId === null) {
        if (cs.status === 'calling' || cs.status === 'serving') problems.push(`after ${e.type}: ${cs.id} is ${cs.status} with no ticket`);
        continue;
      }
      const t = state.tickets.get(cs.currentTicketId);
      if (!t || t.counterId !== cs.id || (t.status !== 'called' && t.status !== 'serving')) {
        problems.push(`after ${e.type}: ${cs.id} holds ${t?.number} (${t?.status} at ${t?.counterId})`);
      }
    }
  };
  /** Every 50 commands, the full two-way check (no called/serving ticket without its counter). */
  const checkState = () => {
    if (commands % 50 === 0) problems.push(...stateProblems(h.state).map((p) => `after command ${commands}: ${p}`));
  };

  const run = (cmd: Command): Decision => {
    const d = h.run(cmd);
    if (d.ok) {
      commands++;
      record(d.events);
      checkState();
    }
    return d;
  };
  const must = (cmd: Command): Extract<Decision, { ok: true }> => {
    const d = run(cmd);
    if (!d.ok) throw new Error(`${cmd.type} ${JSON.stringify(cmd)} refused at ${new Date(h.now).toISOString()}: ${d.error.code}`);
    return d;
  };
  /** A refusal must be one of `codes`; the first 20 and every 200th after are also checked to leave the state unchanged. */
  const refusedAs = (cmd: Command, codes: ErrorCode[]): Decision => {
    const n = stats.refusalsChecked++;
    const before = n < 20 || n % 200 === 0 ? fingerprint(h.state) : null;
    const d = run(cmd);
    if (d.ok) return d;
    if (!codes.includes(d.error.code)) throw new Error(`${cmd.type} refused with ${d.error.code}, expected ${codes.join('/')}`);
    if (before !== null && fingerprint(h.state) !== before) problems.push(`${cmd.type} refused with ${d.error.code} but changed the state`);
    return d;
  };

  const waitingViews = (): WaitingView[] => {
    const out: WaitingView[] = [];
    for (const t of h.state.tickets.values()) {
      if (t.status === 'waiting') out.push({ id: t.id, serviceId: t.serviceId, priority: t.priority, directedCounterId: t.directedCounterId, issueSeq: t.issueSeq, touched: touched.has(t.id) });
    }
    return out;
  };
  const callableAt = (desk: Desk, w: WaitingView) => (w.directedCounterId !== null ? w.directedCounterId === desk.id : desk.counter.levels.has(w.serviceId));

  /** call-next, checking the priority rule, anti-starvation and FIFO against the queue as it was just before. */
  const callNext = (desk: Desk): Ticket | null => {
    const queue = waitingViews().filter((w) => callableAt(desk, w));
    const runBefore = consecutivePriority.get(desk.id) ?? 0;
    const d = refusedAs({ type: 'call-next', counterId: desk.id }, ['NO_TICKET_WAITING']);
    if (!d.ok) {
      if (queue.length > 0) problems.push(`${desk.id}: NO_TICKET_WAITING with ${queue.length} callable tickets`);
      return null;
    }
    const called = d.events[0];
    if (called?.type !== 'ticket.called') throw new Error('call-next without ticket.called');
    const t = h.ticket(called.ticketId);
    const rule = called.rule;
    const at = new Date(h.now).toISOString();
    if (t.priority === null && (rule === 'primary' || rule === 'backup' || rule === 'overdue')) {
      const priorityWaiting = queue.some((w) => w.priority !== null && w.directedCounterId === null);
      if (priorityWaiting && runBefore < burst) problems.push(`${at} ${desk.id} called ${t.number} by ${rule} while a priority ticket waited (run ${runBefore})`);
    }
    // the priority counter (绿色通道) is exempt from anti-starvation by design (docs/queue-policy.md)
    if (desk.counter.kind !== 'priority' && runBefore >= burst && t.priority !== null && rule !== 'directed' && queue.some((w) => w.priority === null && w.directedCounterId === null)) {
      problems.push(`${at} ${desk.id} called priority ${t.number} after ${runBefore} in a row while a non-priority ticket waited`);
    }
    if (!touched.has(t.id) && t.priority === null && (rule === 'primary' || rule === 'backup' || rule === 'overdue')) {
      const jumped = queue.find((w) => !w.touched && w.priority === null && w.directedCounterId === null && w.serviceId === t.serviceId && w.issueSeq < t.issueSeq);
      if (jumped) problems.push(`${at} ${desk.id} called ${t.number} by ${rule} ahead of earlier ${h.ticket(jumped.id).number}`);
    }
    return t;
  };

  const planFor = (): Plan => {
    const absent = rnd() < 0.05;
    const r = rnd();
    return {
      absent,
      manualNoShow: rnd() < 0.4,
      lateRecalls: rnd() < 0.1 ? between(1, 2) : 0,
      handlingMs: between(20, 120) * SECOND_MS,
      end: r < 0.03 ? 'transfer-service' : r < 0.05 ? 'transfer-counter' : r < 0.09 ? 'suspend' : 'complete',
    };
  };

  const issueOne = () => {
    const roll = rnd();
    if (roll < 0.03 && issuedRequests.length > 0) {
      // a kiosk retries after a lost answer: same ticket, no events
      const again = pick(issuedRequests);
      const d = must(again);
      if (d.events.length !== 0 || d.ticketId !== requestTicket.get(again.idempotencyKey ?? '')) problems.push(`retry of ${again.idempotencyKey} was not idempotent`);
      stats.retries++;
      return;
    }
    if (roll < 0.035 && issuedRequests.length > 0) {
      const other = pick(issuedRequests);
      refusedAs({ ...other, deviceId: other.deviceId === 'kiosk-1' ? 'kiosk-2' : 'kiosk-1' }, ['IDEMPOTENCY_CONFLICT']);
      return;
    }
    const service = pick(weighted);
    const deviceId = pick(['kiosk-1', 'kiosk-2', 'kiosk-3']);
    const idempotencyKey = `sim-${seed}-${++keySeq}`;
    let idNumber: string | undefined;
    let priority: PriorityKind | undefined;
    const expected: ErrorCode[] = ['QUOTA_EXHAUSTED', 'ID_DAILY_LIMIT'];
    let mustRefuse = false;
    // a hall manager paused issuing for it: every visitor is refused, whoever they are
    const paused = h.state.issuingPauses.has(service.id);
    if (paused) {
      expected.push('ISSUING_PAUSED');
      mustRefuse = true;
    }
    const who = rnd();
    const elderly = options.elderlyShare;
    if (who < elderly) {
      idNumber = pick(elders);
      priority = 'elderly';
    } else if (who < elderly + 0.015) {
      priority = pick(['disabled', 'military', 'pregnant'] as const);
    } else if (who < elderly + 0.02) {
      idNumber = pick(people);
      priority = 'elderly';
      expected.push('PRIORITY_NOT_ELIGIBLE');
      mustRefuse = true;
    } else if (who < elderly + 0.025) {
      const good = pick(people);
      idNumber = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
      expected.push('ID_CHECKSUM');
      mustRefuse = true;
    }
    if (idNumber === undefined && (service.idRequired || rnd() < 0.1)) idNumber = pick(people);
    if (idNumber !== undefined && idNumber.endsWith('X') && rnd() < 0.5) idNumber = idNumber.toLowerCase();
    const cmd: Extract<Command, { type: 'issue' }> = { type: 'issue', serviceId: service.id, idempotencyKey, idNumber, priority, deviceId };
    const d = refusedAs(cmd, expected);
    if (d.ok && mustRefuse) problems.push(`issued ${service.id} for a request that should be refused (${expected.join('/')})`);
    if (!d.ok) {
      bump(stats.refusedIssues, d.error.code);
      if (paused && d.error.code !== 'ISSUING_PAUSED') problems.push(`issuing for paused ${service.id} refused with ${d.error.code}`);
      return;
    }
    stats.issued++;
    if (priority) stats.priorityIssued++;
    issuedRequests.push(cmd);
    requestTicket.set(idempotencyKey, d.ticketId ?? '');
  };

  const act = (desk: Desk) => {
    const cs = h.counter(desk.id);
    switch (cs.status) {
      case 'signed_out':
        return;
      case 'paused':
        if (h.now >= desk.pauseUntil) must({ type: 'unpause', counterId: desk.id });
        else refusedAs({ type: 'call-next', counterId: desk.id }, ['COUNTER_PAUSED']);
        desk.nextAt = Math.max(h.now, desk.pauseUntil);
        return;
      case 'idle': {
        const r = rnd();
        if (r < 0.006) {
          must({ type: 'pause', counterId: desk.id, reason: pick(['午休', '会议', '设备故障']) });
          desk.pauseUntil = h.now + between(5, 25) * MINUTE_MS;
          desk.nextAt = desk.pauseUntil;
          return;
        }
        if (r < 0.03) {
          const waiting = waitingViews();
          if (waiting.length > 0) {
            const w = pick(waiting);
            const d = refusedAs({ type: 'call', counterId: desk.id, ticketId: w.id }, ['SERVICE_NOT_SERVED', 'NOT_YOUR_TICKET']);
            if (d.ok) {
              stats.specificCalls++;
              desk.plan = planFor();
              desk.nextAt = h.now + between(5, 30) * SECOND_MS;
              return;
            }
          }
        }
        const t = callNext(desk);
        desk.plan = t ? planFor() : null;
        desk.nextAt = h.now + (t ? between(5, 30) : 20) * SECOND_MS;
        return;
      }
      case 'calling': {
        const plan = desk.plan ?? planFor();
        desk.plan = plan;
        const t = h.ticket(cs.currentTicketId ?? '');
        if (plan.absent) {
          if (plan.manualNoShow && t.recalls >= 1) must({ type: 'no-show', counterId: desk.id });
          else must({ type: 'recall', counterId: desk.id });
          desk.nextAt = h.now + 30 * SECOND_MS;
        } else if (t.recalls < plan.lateRecalls) {
          must({ type: 'recall', counterId: desk.id });
          desk.nextAt = h.now + 30 * SECOND_MS;
        } else {
          refusedAs({ type: 'complete', counterId: desk.id, outcome: 'concluded' }, ['TICKET_NOT_SERVING']);
          must({ type: 'start', counterId: desk.id });
          desk.nextAt = h.now + plan.handlingMs;
        }
        return;
      }
      case 'serving': {
        const plan = desk.plan ?? planFor();
        const t = h.ticket(cs.currentTicketId ?? '');
        if (plan.end === 'transfer-service') {
          const to = pick(services.filter((s) => s.id !== t.serviceId));
          must({ type: 'transfer', counterId: desk.id, toServiceId: to.id, toCounterId: null });
        } else if (plan.end === 'transfer-counter') {
          const to = pick(desks.filter((d) => d.id !== desk.id));
          must({ type: 'transfer', counterId: desk.id, toServiceId: null, toCounterId: to.id });
        } else if (plan.end === 'suspend') {
          const returnTo: SuspendReturn = rnd() < 0.5 ? 'this_counter' : 'any_counter';
          must({ type: 'suspend', counterId: desk.id, returnTo });
          // some never come back: close-day cancels them
          if (rnd() < 0.85) suspended.push({ ticketId: t.id, counterId: desk.id, returnTo, returnAt: h.now + between(5, 60) * MINUTE_MS });
        } else {
          refusedAs({ type: 'recall', counterId: desk.id }, ['TICKET_ALREADY_STARTED']);
          const outcome: Outcome = pick(OUTCOMES);
          must({ type: 'complete', counterId: desk.id, outcome });
        }
        desk.plan = null;
        desk.nextAt = h.now + between(3, 15) * SECOND_MS;
        return;
      }
    }
  };

  /** Visitors coming back: from fetching documents (resume) or after a no-show (reactivate). */
  const returns = () => {
    for (let i = suspended.length - 1; i >= 0; i--) {
      const s = suspended[i]!;
      if (s.returnAt > h.now) continue;
      const t = h.ticket(s.ticketId);
      let counterId = s.counterId;
      if (s.returnTo === 'this_counter') {
        const other = desks.find((d) => d.id !== s.counterId && h.counter(d.id).status !== 'signed_out');
        if (other && rnd() < 0.2) refusedAs({ type: 'resume', counterId: other.id, ticketId: t.id }, ['NOT_YOUR_TICKET']);
      } else {
        counterId = pick(desks.filter((d) => d.counter.levels.has(t.serviceId) || d.id === s.counterId)).id;
      }
      if (h.counter(counterId).status === 'signed_out') {
        s.returnAt = h.now + 5 * MINUTE_MS;
        continue;
      }
      must({ type: 'resume', counterId, ticketId: t.id });
      suspended.splice(i, 1);
    }
    for (let i = noShowReturns.length - 1; i >= 0; i--) {
      const r = noShowReturns[i]!;
      if (r.returnAt > h.now) continue;
      if (h.counter(r.counterId).status === 'signed_out') {
        r.returnAt = h.now + MINUTE_MS;
        continue;
      }
      noShowReturns.splice(i, 1);
      const cmd: Command = { type: 'reactivate', counterId: r.counterId, ticketId: r.ticketId };
      if (h.now - r.noShowAt <= grace) must(cmd);
      else {
        refusedAs(cmd, ['GRACE_PERIOD_OVER']);
        stats.lateReactivations++;
      }
    }
  };

  // ---------------------------------------------------------------- the day
  for (const desk of desks) must({ type: 'sign-in', counterId: desk.id, staffId: staffOf(desk.id) });
  const peakStart = shanghai(DAY, '09:00');
  const peakEnd = shanghai(DAY, '10:30');
  const lunchOut = shanghai(DAY, '12:00');
  const lunchBack = shanghai(DAY, '13:00');
  let c3Out = false;
  let c3Back = false;
  let lunchMissed = false;
  // 15:00 and 16:00: a counter's terminal dies with a visitor in hand (being served, then called); a hall
  // manager releases it (back to the queue, then to counter 7) and the clerk signs in again on a replacement
  const terminalDeaths: { at: number; counterId: string; status: 'calling' | 'serving'; toCounterId: string | null }[] = [
    { at: shanghai(DAY, '15:00'), counterId: 'c2', status: 'serving', toCounterId: null },
    { at: shanghai(DAY, '16:00'), counterId: 'c1', status: 'calling', toCounterId: 'c7' },
  ];
  const deathsDone = new Set<number>();
  // a hall manager pauses issuing for passports 11:00–11:45 (their system is down), and for pickups from
  // 16:30 (the day's capacity is reached) until the close of the day, which resumes it
  const issuingPauses = [
    { serviceId: 'passport', from: shanghai(DAY, '11:00'), to: shanghai(DAY, '11:45') },
    { serviceId: 'pickup', from: shanghai(DAY, '16:30'), to: Number.POSITIVE_INFINITY },
  ];
  let step = 0;
  while (h.now < dayEnd) {
    h.advanceMs(between(2, 10) * SECOND_MS);
    step++;
    // a morning peak, then a steady flow close to what eight counters can serve
    if (h.now < issueEnd && rnd() < (h.now >= peakStart && h.now < peakEnd ? 0.6 : 0.45)) issueOne();
    returns();
    // counter 3's clerk signs out for lunch and comes back; meanwhile counter 1's clerk, with a visitor in
    // hand, cannot move to counter 3 (STAFF_BUSY): the sign-out waits for a moment when both hold
    const c3 = h.counter('c3');
    if (!c3Out && h.now >= lunchOut && (c3.status === 'idle' || c3.status === 'paused') && h.counter('c1').currentTicketId !== null) {
      must({ type: 'sign-out', counterId: 'c3' });
      if (refusedAs({ type: 'sign-in', counterId: 'c3', staffId: staffOf('c1') }, ['STAFF_BUSY']).ok) problems.push("c1's clerk signed in at c3 with a visitor in hand");
      c3Out = true;
    }
    if (!c3Out && h.now >= lunchBack && !lunchMissed) {
      problems.push('counter 3 found no moment to go to lunch between 12:00 and 13:00');
      lunchMissed = true;
    }
    if (c3Out && !c3Back && h.now >= lunchBack) {
      must({ type: 'sign-in', counterId: 'c3', staffId: staffOf('c3') });
      c3Back = true;
    }
    terminalDeaths.forEach((death, i) => {
      if (deathsDone.has(i) || h.now < death.at || h.counter(death.counterId).status !== death.status) return;
      const ticketId = h.counter(death.counterId).currentTicketId!;
      // the clerk cannot go on elsewhere meanwhile (c3 is held by its own clerk by now, or free: STAFF_BUSY)
      if (refusedAs({ type: 'sign-in', counterId: 'c3', staffId: staffOf(death.counterId) }, ['STAFF_BUSY', 'ALREADY_SIGNED_IN']).ok) problems.push(`${death.counterId}'s clerk signed in at c3 with a visitor in hand`);
      const d = must({ type: 'release', counterId: death.counterId, toCounterId: death.toCounterId, expectedTicketId: ticketId });
      stats.releases++;
      if (d.ticketId !== ticketId) problems.push(`release at ${death.counterId} acted on ${d.ticketId}, not ${ticketId}`);
      const t = h.ticket(ticketId);
      if (t.status !== 'waiting' || t.directedCounterId !== death.toCounterId) problems.push(`released ${t.number} is ${t.status}, directed to ${t.directedCounterId}`);
      must({ type: 'sign-in', counterId: death.counterId, staffId: staffOf(death.counterId) });
      const desk = desks.find((k) => k.id === death.counterId)!;
      desk.plan = null;
      desk.nextAt = h.now;
      deathsDone.add(i);
    });
    for (const p of issuingPauses) {
      const paused = h.state.issuingPauses.has(p.serviceId);
      if (!paused && h.now >= p.from && h.now < p.to) must({ type: 'pause-issuing', serviceId: p.serviceId, reason: '系统维护' });
      else if (paused && h.now >= p.to) must({ type: 'resume-issuing', serviceId: p.serviceId });
    }
    for (const [counterId, change] of Object.entries(TIDAL)) {
      const changed = h.state.counters.get(counterId)!.servicesSetAt !== null;
      if (!changed && h.now >= change.from && h.now < change.to) must({ type: 'set-services', counterId, services: change.services });
      else if (changed && h.now >= change.to) must({ type: 'reset-services', counterId });
    }
    for (const desk of desks) if (h.now >= desk.nextAt && !(desk.id === 'c3' && c3Out && !c3Back)) act(desk);
    if (step % 400 === 0) {
      const numbers = [...h.state.tickets.values()].map((t) => `${t.businessDate}|${t.number}`);
      if (new Set(numbers).size !== numbers.length) problems.push(`duplicate ticket numbers by step ${step}`);
    }
  }

  // ---------------------------------------------------------------- after hours: serve whoever is still waiting
  const waitingAtClose = waitingViews().length;
  for (let round = 0; round < 20_000; round++) {
    h.advanceMs(MINUTE_MS);
    let busy = false;
    for (const desk of desks) {
      const cs = h.counter(desk.id);
      if (cs.status === 'paused') must({ type: 'unpause', counterId: desk.id });
      if (cs.status === 'calling') {
        must({ type: 'start', counterId: desk.id });
        busy = true;
      } else if (cs.status === 'serving') {
        must({ type: 'complete', counterId: desk.id, outcome: 'concluded' });
        busy = true;
      } else if (cs.status === 'idle' && callNext(desk)) {
        busy = true;
      }
    }
    if (!busy) break;
  }
  const leftWaiting = waitingViews().length;
  const unfinishedBeforeClose = [...h.state.tickets.values()].filter((t) => !isFinal(t.status)).map((t) => t.status);

  // ---------------------------------------------------------------- the next morning
  h.now = shanghai(NEXT_DAY, '08:00');
  const closed = must({ type: 'close-day' });
  return { h, stats, calls, touched, servedMsExpected, problems, rawIds, waitingAtClose, leftWaiting, unfinishedBeforeClose, closed, commands };
}

describe('a simulated day in the demo hall', () => {
  const day = simulateDay(20260303);
  const { h, stats, calls, touched, problems } = day;

  it('ran a busy day through every kind of command', () => {
    expect(stats.issued).toBeGreaterThanOrEqual(2000);
    expect(stats.priorityIssued).toBeGreaterThan(50);
    for (const [name, n] of Object.entries({
      retries: stats.retries,
      recalls: stats.recalls,
      autoNoShows: stats.autoNoShows,
      manualNoShows: stats.manualNoShows,
      reactivations: stats.reactivations,
      lateReactivations: stats.lateReactivations,
      transfers: stats.transfers,
      suspensions: stats.suspensions,
      resumes: stats.resumes,
      pauses: stats.pauses,
      specificCalls: stats.specificCalls,
      releases: stats.releases,
      returned: stats.returned,
    })) {
      expect(n, name).toBeGreaterThan(0);
    }
    for (const rule of ['directed', 'priority', 'overdue', 'primary', 'backup', 'specific'] as const) expect(stats.rules.get(rule) ?? 0, rule).toBeGreaterThan(0);
    expect(stats.refusedIssues.get('ID_DAILY_LIMIT') ?? 0).toBeGreaterThan(0);
    expect(stats.refusedIssues.get('QUOTA_EXHAUSTED') ?? 0).toBeGreaterThan(0);
    expect(stats.refusedIssues.get('ISSUING_PAUSED') ?? 0).toBeGreaterThan(0);
    expect(day.waitingAtClose).toBeGreaterThan(0);
  });

  it('kept every invariant checked along the way (state consistency, priority, anti-starvation, FIFO)', () => {
    expect(problems.slice(0, 20)).toEqual([]);
    expect(stateProblems(h.state)).toEqual([]);
  });

  it('never issued the same ticket number twice on one business day', () => {
    const numbers = h.log.flatMap((e) => (e.type === 'ticket.issued' ? [`${e.businessDate}|${e.number}`] : []));
    expect(numbers.length).toBe(stats.issued);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('served everyone still waiting after hours, and close-day ended the leftovers', () => {
    expect(day.leftWaiting).toBe(0);
    // what is left are visitors who went to fetch documents and never came back
    expect(day.unfinishedBeforeClose.length).toBeGreaterThan(0);
    expect(new Set(day.unfinishedBeforeClose)).toEqual(new Set(['suspended']));
    const cancelled = day.closed.events.filter((e) => e.type === 'ticket.cancelled');
    expect(cancelled.length).toBe(day.unfinishedBeforeClose.length);
    expect(cancelled.every((e) => e.type === 'ticket.cancelled' && h.ticket(e.ticketId).cancelReason === 'day_closed')).toBe(true);
    // and signed out every clerk still signed in: the next day starts with every counter free
    const signedOut = day.closed.events.filter((e) => e.type === 'counter.signed_out');
    // and issuing for pickups, paused since 16:30, starts again
    const resumed = day.closed.events.filter((e) => e.type === 'service.issuing_resumed');
    expect(resumed.map((e) => e.type === 'service.issuing_resumed' && e.serviceId)).toEqual(['pickup']);
    expect(h.state.issuingPauses.size).toBe(0);
    // and the pickup counter, a tidal counter since 16:00, calls for its catalogue's services again
    const reset = day.closed.events.filter((e) => e.type === 'counter.services_set');
    expect(reset.map((e) => e.type === 'counter.services_set' && e.counterId)).toEqual(['c6']);
    expect([...h.state.counters.values()].every((c) => c.servicesSetAt === null)).toBe(true);
    expect(h.state.counters.get('c6')!.services).toEqual(DEMO_CATALOGUE.counters.find((c) => c.id === 'c6')!.services);
    expect(cancelled.length + signedOut.length + resumed.length + reset.length).toBe(day.closed.events.length);
    expect([...h.state.counterStates.values()].every((c) => c.status === 'signed_out' && c.staffId === null)).toBe(true);
  });

  it('had the tidal counters call for their new services while changed, and for the catalogue\'s otherwise', () => {
    // calls a counter's services chose (not a ticket directed to it, nor one the clerk picked by hand)
    const byServices = (counterId: string, from: number, to: number) =>
      calls.filter((c) => c.counterId === counterId && c.at >= from && c.at < to && c.rule !== 'directed' && c.rule !== 'specific');
    const c6Changed = byServices('c6', TIDAL.c6.from, Number.POSITIVE_INFINITY);
    expect(c6Changed.some((c) => c.serviceId === 'social-insurance')).toBe(true); // (by rule overdue, mostly: the day runs behind)
    expect(c6Changed.filter((c) => !['social-insurance', 'pickup'].includes(c.serviceId))).toEqual([]);
    expect(byServices('c6', 0, TIDAL.c6.from).filter((c) => !['pickup', 'consult'].includes(c.serviceId))).toEqual([]);
    const c7Changed = byServices('c7', TIDAL.c7.from, TIDAL.c7.to);
    expect(c7Changed.length).toBeGreaterThan(0);
    expect(c7Changed.filter((c) => c.serviceId !== 'passport')).toEqual([]);
    // afterwards, counter 7 calls for all its catalogue's services again: consultations first, as its main work
    const c7After = byServices('c7', TIDAL.c7.to, Number.POSITIVE_INFINITY);
    expect(c7After.some((c) => c.serviceId === 'consult')).toBe(true);
    expect(c7After.filter((c) => c.serviceId === 'passport' && c.rule === 'primary')).toEqual([]);
  });

  it('left every ticket in exactly one final state', () => {
    const finals = new Map<string, number>();
    const lastLifecycle = new Map<string, HallEvent['type']>();
    for (const e of h.log) {
      if (!('ticketId' in e)) continue;
      lastLifecycle.set(e.ticketId, e.type);
      if (e.type === 'ticket.completed' || e.type === 'ticket.no_show' || e.type === 'ticket.cancelled') finals.set(e.ticketId, (finals.get(e.ticketId) ?? 0) + 1);
      if (e.type === 'ticket.reactivated') finals.set(e.ticketId, (finals.get(e.ticketId) ?? 0) - 1);
    }
    const byStatus = new Map<string, number>();
    for (const t of h.state.tickets.values()) {
      bumpTo(byStatus, t.status);
      expect(isFinal(t.status), `${t.number} is ${t.status}`).toBe(true);
      expect(finals.get(t.id), t.number).toBe(1);
      const expectedLast = t.status === 'completed' ? 'ticket.completed' : t.status === 'no_show' ? 'ticket.no_show' : 'ticket.cancelled';
      expect(lastLifecycle.get(t.id), t.number).toBe(expectedLast);
    }
    expect(h.state.tickets.size).toBe(stats.issued);
    expect(byStatus.get('completed') ?? 0).toBeGreaterThan(1500);
    expect(byStatus.get('no_show') ?? 0).toBeGreaterThan(0);
    expect(byStatus.get('cancelled') ?? 0).toBeGreaterThan(0);
    for (const cs of h.state.counterStates.values()) expect(cs.currentTicketId).toBeNull();
  });

  it('called first-issued first among equals at each counter (rule primary, same service, no transfer/suspension/reactivation)', () => {
    let compared = 0;
    const lastSeq = new Map<string, number>();
    for (const c of calls) {
      const t = h.ticket(c.ticketId);
      if (c.rule !== 'primary' || touched.has(t.id)) continue;
      const key = `${c.counterId}|${t.serviceId}`;
      const prev = lastSeq.get(key);
      if (prev !== undefined) {
        compared++;
        expect(t.issueSeq, `${c.counterId} called ${t.number}`).toBeGreaterThan(prev);
      }
      lastSeq.set(key, t.issueSeq);
    }
    expect(compared).toBeGreaterThan(150);
  });

  it('did not count suspended time as handling time', () => {
    let checked = 0;
    for (const t of h.state.tickets.values()) {
      if (t.status !== 'completed') continue;
      expect(t.servedMs, t.number).toBe(day.servedMsExpected.get(t.id) ?? 0);
      checked++;
    }
    expect(checked).toBeGreaterThan(1500);
  });

  it('never put a raw ID number into an event', () => {
    const text = JSON.stringify(h.log);
    const leaked = (text.match(/\d{17}[\dXx]/g) ?? []).filter((s) => day.rawIds.has(s.toUpperCase()));
    expect(leaked).toEqual([]);
    expect(h.log.some((e) => e.type === 'ticket.issued' && e.idMasked !== null)).toBe(true);
  });

  it('is the same day every time for the same seed', () => {
    const again = simulateDay(20260303);
    expect(again.commands).toBe(day.commands);
    expect(again.h.log).toEqual(h.log);
  });
});

function bumpTo(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

describe('a simulated morning with many elderly visitors (anti-starvation under pressure)', () => {
  const day = simulateDay(7, { elderlyShare: 0.45, issueUntil: '11:00' });

  it('kept calling non-priority visitors between priority runs, and every other invariant', () => {
    expect(day.stats.priorityIssued).toBeGreaterThan(250);
    expect(day.stats.rules.get('priority') ?? 0).toBeGreaterThan(200);
    expect(day.problems.slice(0, 20)).toEqual([]);
    expect([...day.h.state.tickets.values()].every((t) => isFinal(t.status))).toBe(true);
  });

  it('had counters reach priorityBurst priority calls in a row, so the anti-starvation rule was put to work', () => {
    let longest = 0;
    const run = new Map<string, number>();
    for (const c of day.calls) {
      const n = c.rule === 'priority' ? (run.get(c.counterId) ?? 0) + 1 : 0;
      run.set(c.counterId, n);
      longest = Math.max(longest, n);
    }
    expect(longest).toBeGreaterThanOrEqual(2);
  });
});
