// Reads and writes the hall's tables. Events and the projections they change are written in one
// transaction; the in-memory state is only trusted after that transaction commits.
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import {
  CategoryConfig,
  CounterConfig,
  CounterServiceConfig,
  HallSettings,
  ServiceConfig,
  type CatalogueFile,
} from '../../shared/catalogue.ts';
import type { CounterStatus, DeviceKind, StaffRole } from '../../shared/protocol.ts';
import { businessDateOf } from '../../shared/hall-time.ts';
import { applyEvent, touchedBy, type HallEvent } from '../engine/events.ts';
import { createHallState, dailySeqKey, isFinal, setCounterServices, type HallState, type Ticket } from '../engine/state.ts';
import { hashPassword, hashToken, newDeviceToken, newId, newSecret } from '../security.ts';
import { eventHash, GENESIS_HASH } from './audit-chain.ts';

export interface Actor {
  deviceId: string | null;
  staffId: string | null;
}

export interface DeviceRecord {
  id: string;
  kind: DeviceKind;
  name: string;
  counterId: string | null;
  area: string | null;
  revokedAt: number | null;
}

export interface StaffRecord {
  id: string;
  login: string;
  name: string;
  staffNo: string;
  role: StaffRole;
  passwordHash: string;
  active: boolean;
}

interface TicketRow {
  id: string;
  number: string;
  daily_seq: number;
  service_id: string;
  business_date: string;
  issued_at: number;
  issue_seq: number;
  queue_at: number;
  status: Ticket['status'];
  priority: Ticket['priority'];
  id_hash: string | null;
  id_masked: string | null;
  tracking_token: string;
  idempotency_key: string | null;
  issued_by_device_id: string | null;
  recalls: number;
  counter_id: string | null;
  directed_counter_id: string | null;
  called_at: number | null;
  started_at: number | null;
  served_ms: number;
  finished_at: number | null;
  outcome: Ticket['outcome'];
  chosen_by: Ticket['chosenBy'];
  transfers: number;
  suspend_return: Ticket['suspendReturn'];
  cancel_reason: string | null;
}

function ticketToRow(t: Ticket): TicketRow {
  return {
    id: t.id,
    number: t.number,
    daily_seq: t.dailySeq,
    service_id: t.serviceId,
    business_date: t.businessDate,
    issued_at: t.issuedAt,
    issue_seq: t.issueSeq,
    queue_at: t.queueAt,
    status: t.status,
    priority: t.priority,
    id_hash: t.idHash,
    id_masked: t.idMasked,
    tracking_token: t.trackingToken,
    idempotency_key: t.idempotencyKey,
    issued_by_device_id: t.issuedByDeviceId,
    recalls: t.recalls,
    counter_id: t.counterId,
    directed_counter_id: t.directedCounterId,
    called_at: t.calledAt,
    started_at: t.startedAt,
    served_ms: t.servedMs,
    finished_at: t.finishedAt,
    outcome: t.outcome,
    chosen_by: t.chosenBy,
    transfers: t.transfers,
    suspend_return: t.suspendReturn,
    cancel_reason: t.cancelReason,
  };
}

function rowToTicket(r: TicketRow): Ticket {
  return {
    id: r.id,
    number: r.number,
    dailySeq: r.daily_seq,
    serviceId: r.service_id,
    businessDate: r.business_date,
    issuedAt: r.issued_at,
    issueSeq: r.issue_seq,
    queueAt: r.queue_at,
    status: r.status,
    priority: r.priority,
    idHash: r.id_hash,
    idMasked: r.id_masked,
    trackingToken: r.tracking_token,
    idempotencyKey: r.idempotency_key,
    issuedByDeviceId: r.issued_by_device_id,
    recalls: r.recalls,
    counterId: r.counter_id,
    directedCounterId: r.directed_counter_id,
    calledAt: r.called_at,
    startedAt: r.started_at,
    servedMs: r.served_ms,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    chosenBy: r.chosen_by,
    transfers: r.transfers,
    suspendReturn: r.suspend_return,
    cancelReason: r.cancel_reason,
  };
}

/** The value of a JSON text, or null when it is not JSON. */
function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The audit trail outlives the retention period, so personal fields never enter it. */
function withoutPersonalData(payload: Record<string, unknown>): Record<string, unknown> {
  if (!('idHash' in payload) && !('idMasked' in payload)) return payload;
  const { idHash, idMasked: _masked, ...rest } = payload;
  return { ...rest, withId: idHash !== null && idHash !== undefined };
}

const TICKET_COLUMNS = Object.keys(ticketToRow({} as Ticket)) as (keyof TicketRow)[];

/** A clerk's sign-in at a counter, as long as it holds. */
export interface ClerkSessionRecord {
  counterId: string;
  id: string;
  staffId: string;
  startedAt: number;
}

/** A 呼叫帮办 request as the assist_requests table keeps it. */
export interface AssistRequestRecord {
  id: string;
  deviceId: string;
  deviceName: string;
  reason: string | null;
  /** the first ask */
  at: number;
  /** the latest ask while it was open */
  lastAt: number;
  /** asks while it was open */
  times: number;
  handledAt: number | null;
  /** the staff id of the manager who took it */
  handledBy: string | null;
}

/** How far a service's numbering went on a business day (the daily_sequences table). */
export interface DailySequence {
  businessDate: string;
  serviceId: string;
  lastSeq: number;
}

/** Retention's purge: the ID hash and masked ID of tickets of business days before the parameter. */
export const PURGE_PERSONAL_DATA_SQL =
  'UPDATE tickets SET id_hash = NULL, id_masked = NULL WHERE business_date < ? AND (id_hash IS NOT NULL OR id_masked IS NOT NULL)';

export class HallStore {
  readonly db: Database;
  private readonly insertEventRow: Statement;
  private readonly lastHash: Statement;
  private readonly upsertTicket: Statement;
  private readonly updateCounter: Statement;
  private readonly upsertDailySeq: Statement;
  private readonly upsertIssuingPause: Statement;
  private readonly deleteIssuingPause: Statement;
  private readonly upsertCounterServices: Statement;
  private readonly deleteCounterServices: Statement;
  private readonly deviceByTokenHash: Statement;
  private readonly staffByLogin: Statement;
  private readonly staffById: Statement;
  private readonly ticketByTrackingToken: Statement;
  private readonly idempotencyKeyRow: Statement;
  private readonly revokedAtById: Statement;

  constructor(db: Database) {
    this.db = db;
    this.insertEventRow = db.prepare(
      'INSERT INTO events (seq, type, at, device_id, staff_id, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.lastHash = db.prepare('SELECT hash FROM events ORDER BY id DESC LIMIT 1').pluck();
    this.upsertTicket = db.prepare(
      `INSERT INTO tickets (${TICKET_COLUMNS.join(', ')}) VALUES (${TICKET_COLUMNS.map((c) => '@' + c).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${TICKET_COLUMNS.filter((c) => c !== 'id')
         .map((c) => `${c} = excluded.${c}`)
         .join(', ')}`,
    );
    this.updateCounter = db.prepare(
      `UPDATE counters SET status = @status, staff_id = @staffId, current_ticket_id = @currentTicketId,
         pause_reason = @pauseReason, consecutive_priority = @consecutivePriority, status_since = @statusSince
       WHERE id = @id`,
    );
    this.upsertDailySeq = db.prepare(
      `INSERT INTO daily_sequences (business_date, service_id, last_seq) VALUES (?, ?, ?)
       ON CONFLICT (business_date, service_id) DO UPDATE SET last_seq = excluded.last_seq`,
    );
    this.upsertIssuingPause = db.prepare('INSERT OR REPLACE INTO service_issuing_pauses (service_id, reason, since) VALUES (?, ?, ?)');
    this.deleteIssuingPause = db.prepare('DELETE FROM service_issuing_pauses WHERE service_id = ?');
    this.upsertCounterServices = db.prepare('INSERT OR REPLACE INTO counter_services_set (counter_id, services, since) VALUES (?, ?, ?)');
    this.deleteCounterServices = db.prepare('DELETE FROM counter_services_set WHERE counter_id = ?');
    this.deviceByTokenHash = db.prepare('SELECT * FROM devices WHERE token_hash = ?');
    this.staffByLogin = db.prepare('SELECT * FROM staff WHERE login = ?');
    this.staffById = db.prepare('SELECT * FROM staff WHERE id = ?');
    this.ticketByTrackingToken = db.prepare('SELECT * FROM tickets WHERE tracking_token = ?');
    this.idempotencyKeyRow = db.prepare('SELECT 1 FROM tickets WHERE idempotency_key = ?').pluck();
    this.revokedAtById = db.prepare('SELECT revoked_at FROM devices WHERE id = ?').pluck();
  }

  // ------------------------------------------------------------ hall state

  isEmpty(): boolean {
    return this.db.prepare('SELECT count(*) AS n FROM services').pluck().get() === 0;
  }

  /** A fallback ID-hash key kept in the database, for embedded use; the hall server keeps its key in a file. */
  hallSecret(): string {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'id_hmac_secret'").pluck().get() as string | undefined;
    if (row) return row;
    const secret = newSecret();
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('id_hmac_secret', ?)").run(secret);
    return secret;
  }

  /** Loads the hall from the projections: catalogue, counters, and every ticket of `businessDate` or still open. */
  settings(): HallSettings {
    const row = this.db.prepare('SELECT config FROM settings WHERE id = 1').pluck().get() as string | undefined;
    return HallSettings.parse(row ? JSON.parse(row) : { name: { zh: '政务服务中心', en: 'Government Service Hall' } });
  }

  load(now: number, businessDate: string): HallState {
    const settings = this.settings();
    const categories = (this.db.prepare('SELECT names, id FROM categories ORDER BY sort').all() as { id: string; names: string }[]).map(
      (r) => CategoryConfig.parse({ id: r.id, names: JSON.parse(r.names) }),
    );
    const services = (this.db.prepare('SELECT config FROM services ORDER BY sort').pluck().all() as string[]).map((c) =>
      ServiceConfig.parse(JSON.parse(c)),
    );
    const counterRows = this.db.prepare('SELECT * FROM counters ORDER BY sort, number').all() as {
      id: string;
      config: string;
      status: CounterStatus;
      staff_id: string | null;
      current_ticket_id: string | null;
      pause_reason: string | null;
      consecutive_priority: number;
      status_since: number;
    }[];
    const state = createHallState({
      settings,
      categories,
      services,
      counters: counterRows.map((r) => CounterConfig.parse(JSON.parse(r.config))),
      now,
    });
    for (const r of counterRows) {
      state.counterStates.set(r.id, {
        id: r.id,
        status: r.status,
        staffId: r.staff_id,
        currentTicketId: r.current_ticket_id,
        pauseReason: r.pause_reason,
        consecutivePriority: r.consecutive_priority,
        statusSince: r.status_since,
      });
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM tickets WHERE business_date = ? OR status NOT IN ('completed', 'no_show', 'cancelled')
         ORDER BY issue_seq`,
      )
      .all(businessDate) as TicketRow[];
    for (const r of rows) {
      const t = rowToTicket(r);
      state.tickets.set(t.id, t);
      if (t.idempotencyKey) state.byIdempotencyKey.set(t.idempotencyKey, t.id);
    }
    for (const r of this.db.prepare('SELECT * FROM daily_sequences WHERE business_date = ?').all(businessDate) as {
      business_date: string;
      service_id: string;
      last_seq: number;
    }[]) {
      state.dailySeq.set(dailySeqKey(r.business_date, r.service_id), r.last_seq);
    }
    for (const r of this.db.prepare('SELECT service_id AS serviceId, reason, since FROM service_issuing_pauses').all() as { serviceId: string; reason: string; since: number }[]) {
      state.issuingPauses.set(r.serviceId, { reason: r.reason, since: r.since });
    }
    for (const r of this.db.prepare('SELECT counter_id AS counterId, services, since FROM counter_services_set').all() as { counterId: string; services: string; since: number }[]) {
      const counter = state.counters.get(r.counterId);
      // (a catalogue import empties the table: these are changes made since it — by a server still running the
      // catalogue before it, if it was not restarted; a row that is not what this release writes, or names a
      // service the catalogue no longer has, leaves the counter with the catalogue's services rather than stop the hall)
      const services = z.array(CounterServiceConfig).min(1).safeParse(jsonOrNull(r.services));
      if (counter && services.success && services.data.every((s) => state.services.has(s.serviceId))) setCounterServices(counter, services.data, r.since);
    }
    state.seq = (this.db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get() as number) ?? 0;
    return state;
  }

  /**
   * Appends the events, applies them to `state` and writes the changed projection rows, all in one
   * transaction. Returns the new hall seq. If the write fails the caller must reload the state.
   */
  commit(state: HallState, events: HallEvent[], actor: Actor): number {
    const seq = state.seq + 1;
    this.db
      .transaction(() => {
        const ticketIds = new Set<string>();
        const counterIds = new Set<string>();
        for (const e of events) {
          const { type, at, ...payload } = e;
          this.appendEvent(seq, type, at, actor, withoutPersonalData(payload));
          applyEvent(state, e);
          const touched = touchedBy(e);
          for (const id of touched.ticketIds) ticketIds.add(id);
          for (const id of touched.counterIds) counterIds.add(id);
          if (e.type === 'ticket.issued') this.upsertDailySeq.run(e.businessDate, e.serviceId, e.dailySeq);
          else if (e.type === 'service.issuing_paused') this.upsertIssuingPause.run(e.serviceId, e.reason, e.at);
          else if (e.type === 'service.issuing_resumed') this.deleteIssuingPause.run(e.serviceId);
          else if (e.type === 'counter.services_set') {
            const counter = state.counters.get(e.counterId);
            if (counter?.servicesSetAt == null) this.deleteCounterServices.run(e.counterId); // the catalogue's again
            else this.upsertCounterServices.run(e.counterId, JSON.stringify(counter.services), counter.servicesSetAt);
          }
        }
        for (const id of ticketIds) {
          const t = state.tickets.get(id);
          if (t) {
            this.upsertTicket.run(ticketToRow(t));
            // a ticket's holder may be a counter no event named (cancelled at day close)
            if (t.counterId) counterIds.add(t.counterId);
          }
        }
        for (const id of counterIds) {
          const c = state.counterStates.get(id);
          if (c) this.updateCounter.run(c);
        }
      })
      .immediate();
    state.seq = seq;
    return seq;
  }

  /** Drops finished tickets of earlier days from memory (they stay in the database). */
  static pruneBefore(state: HallState, businessDate: string): void {
    for (const [id, t] of state.tickets) {
      if (t.businessDate < businessDate && isFinal(t.status)) {
        state.tickets.delete(id);
        if (t.idempotencyKey) state.byIdempotencyKey.delete(t.idempotencyKey);
      }
    }
  }

  /** whether the device is revoked (or gone): read from the database, where the CLI revokes too */
  deviceRevoked(id: string): boolean {
    const revokedAt = this.revokedAtById.get(id) as number | null | undefined;
    return revokedAt === undefined || revokedAt !== null;
  }

  /** whether any ticket, of any business day, was issued with this idempotency key (the column is UNIQUE) */
  idempotencyKeyUsed(key: string): boolean {
    return this.idempotencyKeyRow.get(key) !== undefined;
  }

  ticketByTracking(token: string): Ticket | null {
    const row = this.ticketByTrackingToken.get(token) as TicketRow | undefined;
    return row ? rowToTicket(row) : null;
  }

  // ------------------------------------------------------------ administration

  /** Appends one row to the audit chain; call inside a write transaction (the head is read there). */
  private appendEvent(seq: number | null, type: string, at: number, actor: Actor, payload: object): void {
    const prev = (this.lastHash.get() as string | null | undefined) ?? GENESIS_HASH;
    const row = { seq, type, at, device_id: actor.deviceId, staff_id: actor.staffId, payload: JSON.stringify(payload) };
    this.insertEventRow.run(seq, type, at, actor.deviceId, actor.staffId, row.payload, prev, eventHash(prev, row));
  }

  private adminEvent(type: string, payload: object, now: number): void {
    this.appendEvent(null, type, now, { deviceId: null, staffId: null }, payload);
  }

  /**
   * After `hall restore`: numbering continues past what the replaced database had handed out (those
   * numbers are printed on tickets the backup does not know), and the restore is recorded in the audit
   * trail. Returns how many numbers were skipped. One transaction.
   */
  recordRestore(from: string, handedOut: readonly DailySequence[], now: number): number {
    return this.db
      .transaction(() => {
        const current = this.db.prepare('SELECT last_seq FROM daily_sequences WHERE business_date = ? AND service_id = ?').pluck();
        const known = new Set(this.db.prepare('SELECT id FROM services').pluck().all() as string[]);
        let carried = 0;
        for (const s of handedOut) {
          if (!known.has(s.serviceId)) continue;
          const here = (current.get(s.businessDate, s.serviceId) as number | undefined) ?? 0;
          if (s.lastSeq <= here) continue;
          this.upsertDailySeq.run(s.businessDate, s.serviceId, s.lastSeq);
          carried += s.lastSeq - here;
        }
        this.adminEvent('backup.restored', { from, numbersCarried: carried }, now);
        return carried;
      })
      .immediate();
  }

  /**
   * Retention: removes the ID hash and masked ID from tickets of business days before `cutoffDate`.
   * Events never held them (see withoutPersonalData). Returns how many tickets were purged.
   */
  purgePersonalData(cutoffDate: string, now: number): number {
    const purged = this.db
      .transaction(() => {
        const r = this.db.prepare(PURGE_PERSONAL_DATA_SQL).run(cutoffDate);
        if (r.changes > 0) this.adminEvent('retention.purged', { tickets: r.changes, before: cutoffDate }, now);
        return r.changes;
      })
      .immediate();
    return purged;
  }

  /**
   * Checkpoints the WAL and empties it, so that rows changed since (a purge's old values) are not left
   * in it. False when a reader held it: it is then reused and overwritten soon after, by the checkpointer.
   */
  emptyWal(): boolean {
    const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return !result?.busy;
  }

  /**
   * Writes settings, categories, services and counters. Services and counters are upserted, never
   * deleted, so a service the file does not name keeps its ticket prefix: a file giving that prefix to
   * another service is refused as a whole (two services numbering L001 on one day cannot both issue).
   */
  importCatalogue(catalogue: CatalogueFile, now: number): void {
    this.db
      .transaction(() => {
        const named = new Set(catalogue.services.map((s) => s.id));
        const kept = (this.db.prepare('SELECT id, config FROM services').all() as { id: string; config: string }[]).filter((r) => !named.has(r.id));
        for (const row of kept) {
          const prefix = (JSON.parse(row.config) as { prefix: string }).prefix;
          const clash = catalogue.services.find((s) => s.prefix === prefix);
          if (clash) throw new Error(`ticket prefix ${prefix} of service ${clash.id} is already used by service ${row.id}`);
        }
        // nor may a prefix pass to another service on a day it has already numbered tickets
        const today = businessDateOf(now, catalogue.settings?.timeZone ?? this.settings().timeZone);
        for (const t of this.db.prepare('SELECT service_id, number FROM tickets WHERE business_date = ?').all(today) as { service_id: string; number: string }[]) {
          const prefix = /^[A-Z]+/.exec(t.number)?.[0];
          const clash = catalogue.services.find((s) => s.prefix === prefix && s.id !== t.service_id);
          if (clash) throw new Error(`ticket prefix ${prefix} of service ${clash.id} numbered today's tickets of service ${t.service_id}: change it after today`);
        }
        if (catalogue.settings) {
          this.db
            .prepare('INSERT INTO settings (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config')
            .run(JSON.stringify(catalogue.settings));
        }
        const cat = this.db.prepare(
          'INSERT INTO categories (id, names, sort) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET names = excluded.names, sort = excluded.sort',
        );
        catalogue.categories.forEach((c, i) => cat.run(c.id, JSON.stringify(c.names), i));
        const svc = this.db.prepare(
          'INSERT INTO services (id, config, sort) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config, sort = excluded.sort',
        );
        catalogue.services.forEach((s, i) => svc.run(s.id, JSON.stringify(s), i));
        const ctr = this.db.prepare(
          `INSERT INTO counters (id, number, config, sort, status_since) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET number = excluded.number, config = excluded.config, sort = excluded.sort`,
        );
        catalogue.counters.forEach((c, i) => ctr.run(c.id, c.number, JSON.stringify(c), i, now));
        // a new catalogue is the hall's own word on what each counter does: it ends today's 潮汐窗口 changes
        // (kept, they would go on overriding it after the restart, and unseen)
        const counterServicesReset = this.db.prepare('DELETE FROM counter_services_set').run().changes;
        this.adminEvent(
          'catalogue.imported',
          { services: catalogue.services.length, counters: catalogue.counters.length, categories: catalogue.categories.length, counterServicesReset },
          now,
        );
      })
      .immediate();
  }

  addStaff(input: { login: string; name: string; password: string; role: StaffRole; staffNo?: string }, now: number): StaffRecord {
    const id = newId();
    const staffNo = input.staffNo ?? String(1000 + (this.db.prepare('SELECT count(*) FROM staff').pluck().get() as number) + 1);
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO staff (id, login, name, staff_no, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.login, input.name, staffNo, input.role, hashPassword(input.password), now);
      this.adminEvent('staff.added', { staffId: id, login: input.login, role: input.role }, now);
    })();
    return this.staff(id)!;
  }

  private static staffFromRow(r: Record<string, unknown> | undefined): StaffRecord | null {
    if (!r) return null;
    return {
      id: r.id as string,
      login: r.login as string,
      name: r.name as string,
      staffNo: r.staff_no as string,
      role: r.role as StaffRole,
      passwordHash: r.password_hash as string,
      active: r.active === 1,
    };
  }

  staff(id: string): StaffRecord | null {
    return HallStore.staffFromRow(this.staffById.get(id) as Record<string, unknown> | undefined);
  }

  /** Each counter's current clerk session (server/realtime.ts keeps them in memory and here). */
  clerkSessions(): ClerkSessionRecord[] {
    return this.db
      .prepare('SELECT counter_id AS counterId, session_id AS id, staff_id AS staffId, started_at AS startedAt FROM clerk_sessions')
      .all() as ClerkSessionRecord[];
  }

  saveClerkSession(session: ClerkSessionRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO clerk_sessions (counter_id, session_id, staff_id, started_at) VALUES (?, ?, ?, ?)')
      .run(session.counterId, session.id, session.staffId, session.startedAt);
  }

  /** When the clerk last signed in at the counter (the audit trail's `counter.signed_in`), or null. A scan: for start-up only. */
  lastSignIn(counterId: string, staffId: string): number | null {
    const row = this.db
      .prepare(
        "SELECT at FROM events WHERE type = 'counter.signed_in' AND json_extract(payload, '$.counterId') = ? AND json_extract(payload, '$.staffId') = ? ORDER BY id DESC LIMIT 1",
      )
      .pluck()
      .get(counterId, staffId);
    return typeof row === 'number' ? row : null;
  }

  /** A business day's 呼叫帮办 requests, oldest first (server/assist.ts). */
  assistRequests(businessDate: string): AssistRequestRecord[] {
    return this.db
      .prepare(
        `SELECT id, device_id AS deviceId, device_name AS deviceName, reason, requested_at AS at, last_requested_at AS lastAt, times,
           handled_at AS handledAt, handled_by AS handledBy
         FROM assist_requests WHERE business_date = ? ORDER BY requested_at, rowid`,
      )
      .all(businessDate) as AssistRequestRecord[];
  }

  /** Writes a request as it is now (a new one, another ask while it is open, or its handling). */
  saveAssistRequest(businessDate: string, r: AssistRequestRecord): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO assist_requests (id, business_date, device_id, device_name, reason, requested_at, last_requested_at, times, handled_at, handled_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, businessDate, r.deviceId, r.deviceName, r.reason, r.at, r.lastAt, r.times, r.handledAt, r.handledBy);
  }

  deleteClerkSession(counterId: string): void {
    this.db.prepare('DELETE FROM clerk_sessions WHERE counter_id = ?').run(counterId);
  }

  staffByLoginName(login: string): StaffRecord | null {
    return HallStore.staffFromRow(this.staffByLogin.get(login) as Record<string, unknown> | undefined);
  }

  addDevice(
    input: { kind: DeviceKind; name: string; counterNumber?: number; area?: string; token?: string },
    now: number,
  ): { device: DeviceRecord; token: string } {
    let counterId: string | null = null;
    if (input.counterNumber !== undefined) {
      counterId = (this.db.prepare('SELECT id FROM counters WHERE number = ?').pluck().get(input.counterNumber) as string | undefined) ?? null;
      if (!counterId) throw new Error(`no counter numbered ${input.counterNumber}`);
    }
    if ((input.kind === 'counter' || input.kind === 'evaluator') && !counterId) {
      throw new Error(`a ${input.kind} device must be bound to a counter: pass --counter NUMBER`);
    }
    const id = newId();
    const token = input.token ?? newDeviceToken();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO devices (id, kind, name, counter_id, area, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.kind, input.name, counterId, input.area ?? null, hashToken(token), now);
      this.adminEvent('device.added', { deviceId: id, kind: input.kind, name: input.name, counterId }, now);
    })();
    return { device: { id, kind: input.kind, name: input.name, counterId, area: input.area ?? null, revokedAt: null }, token };
  }

  revokeDevice(id: string, now: number): boolean {
    const changed = this.db.transaction(() => {
      const r = this.db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
      if (r.changes) this.adminEvent('device.revoked', { deviceId: id }, now);
      return r.changes > 0;
    })();
    return changed;
  }

  deviceByToken(token: string): DeviceRecord | null {
    const r = this.deviceByTokenHash.get(hashToken(token)) as Record<string, unknown> | undefined;
    if (!r) return null;
    return {
      id: r.id as string,
      kind: r.kind as DeviceKind,
      name: r.name as string,
      counterId: (r.counter_id as string | null) ?? null,
      area: (r.area as string | null) ?? null,
      revokedAt: (r.revoked_at as number | null) ?? null,
    };
  }

  close(): void {
    this.db.close();
  }
}
