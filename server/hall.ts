// The hall: owns the state, runs commands through the engine, commits them, tells listeners.
import { performance } from 'node:perf_hooks';
import { hallError, type HallError } from '../shared/errors.ts';
import { businessDateOf } from '../shared/hall-time.ts';
import type { CallView, TodayFiguresView } from '../shared/protocol.ts';
import { decide, type Command, type EngineContext } from './engine/engine.ts';
import { touchedBy, type HallEvent } from './engine/events.ts';
import type { HallState, Ticket } from './engine/state.ts';
import type { Logger } from './log.ts';
import { idNumberHasher, newId, newTrackingToken } from './security.ts';
import { HallStore, type Actor, type DeviceRecord } from './store/hall-store.ts';
import type { DeviceHealthReport } from '../shared/electron-api.ts';
import type { DeviceHealthView } from '../shared/protocol.ts';
import { CounterFiguresBook, FirstCallWaits, todayFigures, type StaffLookup } from './views.ts';
import { COMMIT_WINDOW, CommandTimes, LatencyWindow } from './timings.ts';
import type { Tracer } from './trace.ts';
import { AssistDesk } from './assist.ts';

export const RECENT_CALLS_KEPT = 20;

export interface HallChange {
  seq: number;
  events: HallEvent[];
  /** the call to announce, when the command called or recalled a ticket */
  call: CallView | null;
  /** counters whose state changed */
  counterIds: Set<string>;
  /** true when the business day rolled over: clients should take a fresh snapshot */
  dayChanged: boolean;
}

export type CommandOutcome = { ok: true; ticketId: string | null; seq: number } | { ok: false; error: HallError };

export class Hall {
  readonly store: HallStore;
  state: HallState;
  readonly figures = new CounterFiguresBook();
  /** today's waits from issue to first call */
  readonly waits = new FirstCallWaits();
  /** how long each commit took (ms): the transaction and its fsync */
  readonly commitTimes = new LatencyWindow(COMMIT_WINDOW);
  /** how long each socket command took, from the server reading it to its acknowledgement (ms) */
  readonly commandTimes = new CommandTimes();
  /** the diagnostic trace (HALL_TRACE_FILE, server/trace.ts), when on */
  readonly trace: Tracer | null;
  recentCalls: CallView[] = [];
  /** today's 呼叫帮办 requests */
  readonly assists: AssistDesk;
  private businessDate: string;
  private readonly clock: () => number;
  private readonly hashIdNumber: (id: string) => string;
  private readonly listeners = new Set<(change: HallChange) => void>();
  private readonly staffCache = new Map<string, { id: string; name: string; login: string; staffNo: string }>();
  private readonly log: Logger;

  constructor(store: HallStore, options: { clock?: () => number; log: Logger; idHashSecret?: string; trace?: Tracer | null }) {
    this.store = store;
    this.trace = options.trace ?? null;
    this.clock = options.clock ?? Date.now;
    this.log = options.log;
    this.hashIdNumber = idNumberHasher(options.idHashSecret ?? store.hallSecret());
    const now = this.clock();
    this.businessDate = businessDateOf(now, store.settings().timeZone);
    this.state = store.load(now, this.businessDate);
    this.rebuildDerived();
    this.assists = new AssistDesk(store, { businessDate: this.businessDate, log: this.log, staffName: (id) => this.staff(id)?.name ?? id });
    this.rollOver(true);
  }

  now(): number {
    return this.clock();
  }

  readonly staff: StaffLookup = (staffId) => {
    let s = this.staffCache.get(staffId);
    if (!s) {
      const record = this.store.staff(staffId);
      if (!record) return null;
      s = { id: record.id, name: record.name, login: record.login, staffNo: record.staffNo };
      this.staffCache.set(staffId, s);
    }
    return s;
  };

  onChange(listener: (change: HallChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the state from the projections (start-up, and after a failed write). */
  private reload(): void {
    this.state = this.store.load(this.clock(), this.businessDate);
    this.rebuildDerived();
  }

  /** the state in memory may not match the database: a reload after a failed write failed too */
  private stale = false;

  /** Reloads after a failed write; when the database cannot be read either, remembers to try again. */
  private tryReload(): boolean {
    try {
      this.reload();
      this.stale = false;
    } catch (err) {
      this.log.error({ err }, 'reloading the state failed; commands are refused until it succeeds');
      this.stale = true;
    }
    return !this.stale;
  }

  /** Today's counter figures and recent calls, rebuilt from the events and tickets of the business day. */
  private rebuildDerived(): void {
    this.figures.clear();
    this.waits.clear();
    const since = this.clock() - 36 * 3_600_000;
    const rows = this.store.db
      .prepare('SELECT seq, type, at, payload FROM events WHERE seq IS NOT NULL AND at >= ? ORDER BY id')
      .all(since) as { seq: number; type: HallEvent['type']; at: number; payload: string }[];
    for (const r of rows) {
      if (businessDateOf(r.at, this.state.settings.timeZone) !== this.businessDate) continue;
      const e = { type: r.type, at: r.at, ...JSON.parse(r.payload) } as HallEvent;
      this.figures.record(e);
      if (e.type === 'ticket.called') this.waits.record(e, this.todaysTicket(e));
    }
    const called = [...this.state.tickets.values()]
      .filter((t) => t.calledAt !== null && t.counterId !== null && t.businessDate === this.businessDate)
      .sort((a, b) => (b.calledAt ?? 0) - (a.calledAt ?? 0))
      .slice(0, RECENT_CALLS_KEPT);
    this.recentCalls = called.map((t) => {
      const counter = this.state.counters.get(t.counterId!)!;
      return {
        seq: this.state.seq,
        ticket: { id: t.id, number: t.number, serviceId: t.serviceId },
        counter: { id: counter.id, number: counter.number, name: counter.name },
        recall: t.recalls > 0,
        recallCount: t.recalls,
        at: t.calledAt!,
      };
    });
  }

  /**
   * true while a close-day could not be written (at start-up or at midnight): earlier days' tickets may
   * still be open, so no command runs (STORE_UNAVAILABLE) until the next try writes it
   */
  private dayUnclosed = false;

  /** Closes the previous business day when the date has changed. Returns whether it did. */
  rollOver(force = false): boolean {
    const now = this.clock();
    const today = businessDateOf(now, this.state.settings.timeZone);
    if (!force && !this.dayUnclosed && today === this.businessDate) return false;
    const changed = today !== this.businessDate;
    const seqBefore = this.state.seq;
    const result = this.run({ type: 'close-day' }, { deviceId: null, staffId: null }, true);
    // Yesterday's open tickets must be closed before today's numbering starts: when the close-day
    // could not be written, the day stays as it was and the next command or check tries again.
    this.dayUnclosed = !result.ok && result.error.code === 'STORE_UNAVAILABLE';
    if (this.dayUnclosed) return false;
    this.businessDate = today;
    HallStore.pruneBefore(this.state, today);
    if (changed) {
      this.figures.clear();
      this.waits.clear();
      this.recentCalls = [];
      this.assists.newDay(today);
      this.emit({ seq: result.ok ? result.seq : this.state.seq, events: [], call: null, counterIds: new Set(), dayChanged: true });
    } else if (result.ok && result.seq !== seqBefore) {
      // a close written late on the day it belongs to (the server started after midnight and could not
      // write it then): the clients connected meanwhile saw yesterday's counters and issuing pauses
      this.emit({ seq: result.seq, events: [], call: null, counterIds: new Set(), dayChanged: true });
    }
    return changed;
  }

  /**
   * Turns the day over if due; false while the previous day's close could not be written (the hall is
   * still on that day: nothing may be recorded as today's, see dayUnclosed).
   */
  openForToday(): boolean {
    this.rollOver();
    return !this.dayUnclosed;
  }

  execute(cmd: Command, actor: Actor): CommandOutcome {
    if (!this.openForToday()) return { ok: false, error: hallError('STORE_UNAVAILABLE') };
    // The engine knows today's keys (a replay answers the same ticket); the database refuses any key
    // ever used, so a key from an earlier business day is a conflict, not a failed write.
    if (cmd.type === 'issue' && cmd.idempotencyKey !== null && !this.state.byIdempotencyKey.has(cmd.idempotencyKey)) {
      let used: boolean;
      try {
        used = this.store.idempotencyKeyUsed(cmd.idempotencyKey);
      } catch (err) {
        this.log.error({ err }, 'idempotency key look-up failed');
        return { ok: false, error: hallError('STORE_UNAVAILABLE') };
      }
      if (used) return { ok: false, error: hallError('IDEMPOTENCY_CONFLICT', '此请求编号已在之前的营业日使用，请重新取号') };
    }
    return this.run(cmd, actor, false);
  }

  private run(cmd: Command, actor: Actor, quiet: boolean): CommandOutcome {
    // After a failed write whose reload failed too, the state in memory may hold half of it: no
    // command is decided on it until the database can be read again.
    if (this.stale && !this.tryReload()) return { ok: false, error: hallError('STORE_UNAVAILABLE') };
    const now = this.clock();
    const ctx: EngineContext = {
      now,
      newTicketId: newId,
      newTrackingToken,
      hashIdNumber: this.hashIdNumber,
    };
    const decision = decide(this.state, cmd, ctx);
    if (!decision.ok) return decision;
    if (decision.events.length === 0) return { ok: true, ticketId: decision.ticketId, seq: this.state.seq };
    let seq: number;
    const started = performance.now();
    try {
      seq = this.store.commit(this.state, decision.events, actor);
      this.commitTimes.record(performance.now() - started);
      this.trace?.commit(started);
    } catch (err) {
      this.log.error({ err, command: cmd.type }, 'commit failed; reloading state from the database');
      this.tryReload();
      return { ok: false, error: hallError('STORE_UNAVAILABLE') };
    }
    let call: CallView | null = null;
    const counterIds = new Set<string>();
    for (const e of decision.events) {
      this.figures.record(e);
      if (e.type === 'ticket.called') this.waits.record(e, this.todaysTicket(e));
      for (const id of touchedBy(e).counterIds) counterIds.add(id);
      if (e.type === 'ticket.called' || e.type === 'ticket.recalled') {
        const t = this.state.tickets.get(e.ticketId)!;
        const counter = this.state.counters.get(e.counterId)!;
        call = {
          seq,
          ticket: { id: t.id, number: t.number, serviceId: t.serviceId },
          counter: { id: counter.id, number: counter.number, name: counter.name },
          recall: e.type === 'ticket.recalled',
          recallCount: t.recalls,
          at: e.at,
        };
      }
    }
    if (call) this.recentCalls = [call, ...this.recentCalls.filter((c) => c.ticket.id !== call!.ticket.id)].slice(0, RECENT_CALLS_KEPT);
    if (!quiet) this.emit({ seq, events: decision.events, call, counterIds, dayChanged: false });
    return { ok: true, ticketId: decision.ticketId, seq };
  }

  private emit(change: HallChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.log.error({ err }, 'change listener failed');
      }
    }
  }

  /** The ticket an event is about, when it is one of the current business day's. */
  private todaysTicket(e: { ticketId: string }): Ticket | undefined {
    const t = this.state.tickets.get(e.ticketId);
    return t?.businessDate === this.businessDate ? t : undefined;
  }

  /** The business day's figures for the dashboard (server/views.ts todayFigures). */
  todayFigures(): TodayFiguresView {
    this.rollOver();
    return todayFigures(this.state, this.businessDate, this.clock(), this.waits);
  }

  /** Latest health report per device (from the Electron shells), newest first for the dashboard. */
  readonly deviceHealth = new Map<string, DeviceHealthView>();

  recordDeviceHealth(device: DeviceRecord, report: DeviceHealthReport): void {
    const view: DeviceHealthView = { deviceId: device.id, deviceName: device.name, kind: device.kind, receivedAt: this.clock(), report };
    this.deviceHealth.set(device.id, view);
    if (report.status !== 'ok') this.log.warn({ device: device.id, status: report.status, problem: report.problem?.code }, 'device health');
    for (const listener of this.healthListeners) listener(view);
  }

  private readonly healthListeners = new Set<(view: DeviceHealthView) => void>();

  onDeviceHealth(listener: (view: DeviceHealthView) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  forgetStaff(staffId: string): void {
    this.staffCache.delete(staffId);
  }
}
