// 呼叫帮办: a visitor at a kiosk asks for a member of staff; the request stays open, on every manager
// dashboard, until a hall manager takes it. Requests are kept in the database (the assist_requests
// table) so that a dashboard opened, reconnected or restarted after the visitor asked still shows it.
// One open request per kiosk: asking again while it is open counts in the same request (`times`), so
// the manager sees a visitor still waiting rather than a list of duplicates. A new business day starts
// with an empty list: yesterday's visitors have gone home.
import { hallError, type HallError } from '../shared/errors.ts';
import { TAKEN_ASSISTS_SHOWN, type AssistRequestPayload, type AssistRequestView } from '../shared/protocol.ts';
import type { Logger } from './log.ts';
import { newId } from './security.ts';
import type { AssistRequestRecord, DeviceRecord, HallStore } from './store/hall-store.ts';

type Reason = NonNullable<AssistRequestPayload['reason']>;
const REASONS: ReadonlySet<string> = new Set<Reason>(['help', 'elderly', 'disabled', 'other']);

/** `changed`: false when the command found the request already as it asked (a manager's retry) */
export type AssistOutcome = { ok: true; request: AssistRequestView; changed: boolean } | { ok: false; error: HallError };

export class AssistDesk {
  private readonly store: HallStore;
  private readonly log: Logger;
  private readonly staffName: (staffId: string) => string;
  private businessDate: string;
  /** today's requests by id, in the order they were made */
  private readonly requests = new Map<string, AssistRequestRecord>();

  constructor(store: HallStore, options: { businessDate: string; log: Logger; staffName: (staffId: string) => string }) {
    this.store = store;
    this.log = options.log;
    this.staffName = options.staffName;
    this.businessDate = options.businessDate;
    this.load();
  }

  private load(): void {
    this.requests.clear();
    for (const r of this.store.assistRequests(this.businessDate)) this.requests.set(r.id, r);
  }

  /** The close of the day: the list starts empty (the requests stay in the database). */
  newDay(businessDate: string): void {
    this.businessDate = businessDate;
    try {
      this.load();
    } catch (err) {
      // nothing of the new day can be in the database yet: an empty list is today's
      this.requests.clear();
      this.log.error({ err }, "today's assistance requests could not be read");
    }
  }

  /** Every open request and the TAKEN_ASSISTS_SHOWN taken last, oldest (first asked) first. */
  list(): AssistRequestView[] {
    const all = [...this.requests.values()];
    const takenLast = all
      .filter((r) => r.handledAt !== null)
      .sort((a, b) => b.handledAt! - a.handledAt!)
      .slice(0, TAKEN_ASSISTS_SHOWN);
    const shown = new Set(takenLast);
    return all.filter((r) => r.handledAt === null || shown.has(r)).map((r) => this.view(r));
  }

  /** A kiosk asks for help: a new request, or its open one asked again. Nothing changes when it cannot be written. */
  request(device: DeviceRecord, reason: Reason | null, now: number): AssistOutcome {
    const open = [...this.requests.values()].find((r) => r.deviceId === device.id && r.handledAt === null);
    const next: AssistRequestRecord = open
      ? { ...open, lastAt: now, times: open.times + 1, reason: reason ?? open.reason }
      : { id: newId(), deviceId: device.id, deviceName: device.name, reason, at: now, lastAt: now, times: 1, handledAt: null, handledBy: null };
    return this.save(next);
  }

  /** The kiosk's request taken at or after `since`, the latest; null when there is none. */
  takenSince(deviceId: string, since: number): AssistRequestView | null {
    let latest: AssistRequestRecord | null = null;
    for (const r of this.requests.values()) {
      if (r.deviceId === deviceId && r.handledAt !== null && r.handledAt >= since && (!latest || r.handledAt > latest.handledAt!)) latest = r;
    }
    return latest ? this.view(latest) : null;
  }

  /** A hall manager takes a request. Their own retry (an answer lost on the way) is answered as it stands. */
  handle(requestId: string, staffId: string, now: number): AssistOutcome {
    const r = this.requests.get(requestId);
    if (!r) return { ok: false, error: hallError('ASSIST_NOT_FOUND') };
    if (r.handledAt !== null && r.handledBy === staffId) return { ok: true, request: this.view(r), changed: false };
    if (r.handledAt !== null) return { ok: false, error: hallError('ASSIST_ALREADY_HANDLED', `${hallError('ASSIST_ALREADY_HANDLED').message}（${this.staffName(r.handledBy!)}）`) };
    return this.save({ ...r, handledAt: now, handledBy: staffId });
  }

  private save(r: AssistRequestRecord): AssistOutcome {
    try {
      this.store.saveAssistRequest(this.businessDate, r);
    } catch (err) {
      this.log.error({ err, request: r.id }, 'assistance request could not be written');
      return { ok: false, error: hallError('STORE_UNAVAILABLE') };
    }
    this.requests.set(r.id, r);
    return { ok: true, request: this.view(r), changed: true };
  }

  private view(r: AssistRequestRecord): AssistRequestView {
    const reason = r.reason !== null && REASONS.has(r.reason) ? (r.reason as Reason) : null;
    return {
      id: r.id,
      deviceId: r.deviceId,
      deviceName: r.deviceName,
      reason,
      at: r.at,
      lastAt: r.lastAt,
      times: r.times,
      handled: r.handledAt === null ? null : { at: r.handledAt, staffId: r.handledBy!, staffName: this.staffName(r.handledBy!) },
    };
  }
}
