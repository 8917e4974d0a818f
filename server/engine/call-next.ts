// The call-next rules (docs/queue-policy.md), in order:
//   1. directed   tickets directed to this counter (transferred here, returning from suspension)
//   2. priority   priority tickets, unless the counter has called `priorityBurst` of them in a row
//                 and a non-priority ticket is waiting (anti-starvation): then every priority ticket
//                 waits behind the non-priority ones for this one call, whatever its issue time
//   3. overdue    tickets past their service's max-wait target, whatever the service level
//   4. primary    the counter's primary services
//   5. backup     the counter's backup services
// Within a rule: earliest queue time first, then earliest issue.
import type { CallRule } from '../../shared/protocol.ts';
import { compareQueueOrder, type Counter, type CounterState, type HallState, type Ticket } from './state.ts';

const MINUTE_MS = 60_000;

/** Whether this counter may call the ticket at all (ignoring its status). */
export function counterMayCall(counter: Counter, ticket: Ticket): boolean {
  if (ticket.directedCounterId !== null) return ticket.directedCounterId === counter.id;
  return counter.levels.has(ticket.serviceId);
}

export function isOverdue(state: HallState, ticket: Ticket, now: number): boolean {
  const service = state.services.get(ticket.serviceId);
  return service !== undefined && now - ticket.queueAt > service.maxWaitMinutes * MINUTE_MS;
}

function baseRule(state: HallState, counter: Counter, t: Ticket, now: number): Exclude<CallRule, 'specific' | 'priority'> {
  if (t.directedCounterId === counter.id) return 'directed';
  if (isOverdue(state, t, now)) return 'overdue';
  return counter.levels.get(t.serviceId) === 'backup' ? 'backup' : 'primary';
}

const RULE_RANK: Record<CallRule, number> = { specific: 0, directed: 1, priority: 2, overdue: 3, primary: 4, backup: 5 };
/** Where priority tickets rank while the counter owes a non-priority call (after every other rule). */
const DEFERRED_PRIORITY_RANK = 6;

export interface RankedTicket {
  ticket: Ticket;
  rule: CallRule;
}

/**
 * The tickets this counter could call now, in the order call-next would take them.
 * @example rankQueue(state, counter, counterState, now)[0] // what 叫号 would call
 */
export function rankQueue(state: HallState, counter: Counter, counterState: CounterState, now: number): RankedTicket[] {
  const candidates: Ticket[] = [];
  for (const t of state.tickets.values()) {
    if (t.status === 'waiting' && counterMayCall(counter, t)) candidates.push(t);
  }
  // The 绿色通道 counter exists for priority visitors: the anti-starvation rule does not bind it.
  const starving =
    counter.kind !== 'priority' &&
    counterState.consecutivePriority >= state.settings.priorityBurst &&
    candidates.some((t) => t.priority === null && t.directedCounterId !== counter.id);
  const ranked = candidates.map((ticket): RankedTicket => {
    const base = baseRule(state, counter, ticket, now);
    const rule: CallRule = base !== 'directed' && ticket.priority !== null ? 'priority' : base;
    return { ticket, rule };
  });
  // Deferred priority tickets still show rule `priority` in the counter's queue view; they only rank last.
  const rank = (r: RankedTicket) => (starving && r.rule === 'priority' ? DEFERRED_PRIORITY_RANK : RULE_RANK[r.rule]);
  ranked.sort((a, b) => rank(a) - rank(b) || compareQueueOrder(a.ticket, b.ticket));
  return ranked;
}

export function pickNext(state: HallState, counter: Counter, counterState: CounterState, now: number): RankedTicket | null {
  return rankQueue(state, counter, counterState, now)[0] ?? null;
}
