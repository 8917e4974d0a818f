import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CATALOGUE, seedDemoHall } from '../demo-hall.ts';
import { Hall } from '../hall.ts';
import { silentLogger } from '../log.ts';
import { backupDatabase, openDatabase } from './database.ts';
import { eventHash, GENESIS_HASH, verifyAuditChain } from './audit-chain.ts';
import { HallStore } from './hall-store.ts';
import { FutureDatabaseError, MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from './migrations.ts';

let dir: string;
const T0 = Date.UTC(2026, 10, 23, 1, 0); // 09:00 in Shanghai
let now = T0;
const clock = () => now;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hall-store-'));
  now = T0;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function openHall(file = join(dir, 'hall.db')): Hall {
  const store = new HallStore(openDatabase(file));
  if (store.isEmpty()) seedDemoHall(store, now);
  return new Hall(store, { clock, log: silentLogger() });
}

const device = { deviceId: 'kiosk', staffId: null };

describe('migrations', () => {
  it('migrates an empty database to the latest version in one step', () => {
    const db = new BetterSqlite3(':memory:');
    expect(migrate(db)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
  });

  it('produces the schema this code expects', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(['assist_requests', 'categories', 'clerk_sessions', 'counter_services_set', 'counters', 'daily_sequences', 'devices', 'events', 'meta', 'service_issuing_pauses', 'services', 'settings', 'staff', 'tickets']);
    const eventColumns = (db.prepare('PRAGMA table_info(events)').all() as { name: string }[]).map((c) => c.name);
    expect(eventColumns).toEqual(['id', 'seq', 'type', 'at', 'device_id', 'staff_id', 'payload', 'prev_hash', 'hash']);
  });

  it.each([1, 2])('chains the events of a hall made before the audit chain (schema %i), so its chain verifies from the first event', (version) => {
    const file = join(dir, 'old.db');
    const old = new BetterSqlite3(file);
    migrate(old, MIGRATIONS.filter((m) => m.version === 1));
    const insert = old.prepare('INSERT INTO events (seq, type, at, device_id, staff_id, payload) VALUES (?, ?, ?, ?, ?, ?)');
    for (let i = 1; i <= 3; i++) insert.run(i, 'ticket.issued', T0 + i, 'kiosk', null, JSON.stringify({ n: i }));
    if (version === 2) {
      // schema 2 added the columns and left these unchained; the next event linked to the genesis hash
      migrate(old, MIGRATIONS.filter((m) => m.version <= 2));
      const row = { seq: 4, type: 'ticket.issued', at: T0 + 4, device_id: 'kiosk', staff_id: null, payload: '{"n":4}' };
      old
        .prepare('INSERT INTO events (seq, type, at, device_id, staff_id, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(row.seq, row.type, row.at, row.device_id, row.staff_id, row.payload, GENESIS_HASH, eventHash(GENESIS_HASH, row));
      expect(verifyAuditChain(old).ok).toBe(false);
    }
    old.close();
    const hall = openHall(file); // migrates to the latest version
    hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-after-upgrade', deviceId: 'kiosk' }, device);
    expect(verifyAuditChain(hall.store.db)).toEqual({ ok: true, events: (hall.store.db.prepare('SELECT count(*) FROM events').pluck().get() as number) });
    expect(() => hall.store.db.exec("UPDATE events SET type = 'x' WHERE id = 1")).toThrow(/append-only/);
    hall.store.close();
  });

  it('applies all pending migrations in one transaction: a failing one leaves nothing behind', () => {
    const db = new BetterSqlite3(':memory:');
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, description: 'ok', up: (d) => d.exec('CREATE TABLE extra (x INTEGER)') },
      { version: SCHEMA_VERSION + 2, description: 'fails', up: (d) => d.exec('CREATE TABLE broken (') },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('tickets', 'extra')").pluck().get()).toBe(0);
  });

  it('refuses a database from a newer release with a clear message', () => {
    const file = join(dir, 'future.db');
    const db = new BetterSqlite3(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(FutureDatabaseError);
    expect(() => openDatabase(file)).toThrow(/newer release/);
  });

  it('opens with WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = openDatabase(join(dir, 'p.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });
});

describe('events and projections', () => {
  it('writes each command as events with the hall seq, actor and payload, append-only', () => {
    const hall = openHall();
    const r = hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-00000001', deviceId: 'kiosk' }, device);
    expect(r.ok).toBe(true);
    const rows = hall.store.db.prepare('SELECT seq, type, device_id, payload FROM events WHERE seq IS NOT NULL').all() as {
      seq: number;
      type: string;
      device_id: string;
      payload: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ seq: 1, type: 'ticket.issued', device_id: 'kiosk' });
    expect(JSON.parse(rows[0]!.payload)).toMatchObject({ number: 'A001', serviceId: 'id-card' });
    expect(() => hall.store.db.prepare('UPDATE events SET type = ?').run('x')).toThrow(/append-only/);
    expect(() => hall.store.db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    hall.store.close();
  });

  it('never stores an ID number in clear, and keeps personal fields out of the audit trail', () => {
    const hall = openHall();
    const id = '11010519491231002X';
    const r = hall.execute({ type: 'issue', serviceId: 'hukou', idempotencyKey: 'key-00000002', idNumber: id, deviceId: 'kiosk' }, device);
    expect(r.ok).toBe(true);
    const tickets = JSON.stringify(hall.store.db.prepare('SELECT * FROM tickets').all());
    const events = JSON.stringify(hall.store.db.prepare('SELECT * FROM events').all());
    expect(tickets + events).not.toContain(id);
    expect(tickets).toContain('110***********002X');
    expect(events).not.toContain('110***********002X');
    expect(events).not.toContain(hall.state.tickets.get(r.ok ? r.ticketId! : '')!.idHash!);
    expect(events).toContain('withId');
    hall.store.close();
  });

  it('purges personal fields after the retention period and leaves the rest', () => {
    const hall = openHall();
    const r = hall.execute({ type: 'issue', serviceId: 'hukou', idempotencyKey: 'key-purge-1', idNumber: '11010519491231002X', deviceId: 'kiosk' }, device);
    expect(r.ok).toBe(true);
    expect(hall.store.purgePersonalData('2026-11-23', now)).toBe(0); // same day: kept
    expect(hall.store.purgePersonalData('2026-11-24', now)).toBe(1);
    const row = hall.store.db.prepare("SELECT number, id_hash, id_masked FROM tickets WHERE idempotency_key = 'key-purge-1'").get();
    expect(row).toEqual({ number: 'B001', id_hash: null, id_masked: null });
    expect(hall.store.db.prepare("SELECT count(*) FROM events WHERE type = 'retention.purged'").pluck().get()).toBe(1);
    hall.store.close();
  });

  it('a failed write changes nothing, in memory or on disk', () => {
    const hall = openHall();
    hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-00000003', deviceId: 'kiosk' }, device);
    // make the next ticket row violate a constraint: a trigger stands in for a full disk
    hall.store.db.exec("CREATE TRIGGER fail_tickets BEFORE INSERT ON tickets BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const seq = hall.state.seq;
    const r = hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-00000004', deviceId: 'kiosk' }, device);
    expect(r).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    expect(hall.state.seq).toBe(seq);
    expect(hall.state.tickets.size).toBe(1);
    expect(hall.store.db.prepare('SELECT count(*) FROM events WHERE seq IS NOT NULL').pluck().get()).toBe(1);
    hall.store.db.exec('DROP TRIGGER fail_tickets');
    const again = hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-00000004', deviceId: 'kiosk' }, device);
    expect(again.ok).toBe(true);
    expect(hall.state.tickets.get((again as { ticketId: string }).ticketId)?.number).toBe('A002');
    hall.store.close();
  });
});

describe('when the reload after a failed write fails too', () => {
  it('refuses every command until the database can be read again, then goes on from what it holds', () => {
    const hall = openHall();
    hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-00000005', deviceId: 'kiosk' }, device);
    hall.store.db.exec("CREATE TRIGGER fail_tickets BEFORE INSERT ON tickets BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    hall.store.db.exec('ALTER TABLE categories RENAME TO categories_unreadable'); // the reload cannot read the hall
    const refused = () => hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-00000006', deviceId: 'kiosk' }, device);
    expect(refused()).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    hall.store.db.exec('DROP TRIGGER fail_tickets'); // writes would work again, the state is still not trusted
    expect(refused()).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    expect(hall.store.db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(1);
    hall.store.db.exec('ALTER TABLE categories_unreadable RENAME TO categories');
    const again = hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-00000006', deviceId: 'kiosk' }, device);
    expect(again.ok).toBe(true);
    expect(hall.state.tickets.get((again as { ticketId: string }).ticketId)?.number).toBe('A002');
    expect(hall.state.tickets.size).toBe(2);
    hall.store.close();
  });
});

describe('restart recovery', () => {
  it('reloads the same hall: tickets, queue order, counters, seq, idempotency and numbering', () => {
    const hall = openHall();
    const staff = hall.store.staffByLoginName('clerk1')!;
    for (let i = 0; i < 6; i++) {
      hall.execute({ type: 'issue', serviceId: i % 2 ? 'passport' : 'id-card', idempotencyKey: `key-restart-${i}`, deviceId: 'kiosk' }, device);
      now += 1000;
    }
    hall.execute({ type: 'sign-in', counterId: 'c1', staffId: staff.id }, device);
    hall.execute({ type: 'call-next', counterId: 'c1' }, device);
    hall.execute({ type: 'start', counterId: 'c1' }, device);
    hall.execute({ type: 'suspend', counterId: 'c1', returnTo: 'this_counter' }, device);
    hall.execute({ type: 'call-next', counterId: 'c1' }, device);
    const before = structuredClone({
      tickets: [...hall.state.tickets.values()],
      counters: [...hall.state.counterStates.values()],
      seq: hall.state.seq,
      dailySeq: [...hall.state.dailySeq],
    });
    hall.store.close();

    const again = openHall();
    expect([...again.state.tickets.values()]).toEqual(before.tickets);
    expect([...again.state.counterStates.values()]).toEqual(before.counters);
    expect(again.state.seq).toBe(before.seq);
    expect([...again.state.dailySeq]).toEqual(before.dailySeq);
    const replay = again.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-restart-0', deviceId: 'kiosk' }, device);
    expect(replay.ok && again.state.tickets.get(replay.ticketId!)?.number).toBe('A001');
    const next = again.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-restart-new', deviceId: 'kiosk' }, device);
    expect(next.ok && again.state.tickets.get(next.ticketId!)?.number).toBe('A004');
    again.store.close();
  });

  it('restarts numbering on the next business day and cancels what was left open', () => {
    const hall = openHall();
    hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-day-1', deviceId: 'kiosk' }, device);
    hall.store.close();
    now = T0 + 24 * 3_600_000;
    const next = openHall();
    expect([...next.state.tickets.values()].filter((t) => t.status === 'waiting')).toHaveLength(0);
    const left = next.store.db.prepare("SELECT status, cancel_reason FROM tickets WHERE idempotency_key = 'key-day-1'").get();
    expect(left).toEqual({ status: 'cancelled', cancel_reason: 'day_closed' });
    const r = next.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-day-2', deviceId: 'kiosk' }, device);
    expect(r.ok && next.state.tickets.get(r.ticketId!)?.number).toBe('A001');
    next.store.close();
  });
});

describe('catalogue import', () => {
  it("refuses, as a whole, a catalogue that gives a kept service's ticket prefix to another service", () => {
    const hall = openHall();
    const consult = DEMO_CATALOGUE.services.find((s) => s.id === 'consult')!;
    const before = hall.store.db.prepare('SELECT count(*) FROM services').pluck().get();
    const clashing = { ...DEMO_CATALOGUE, services: [{ ...consult, id: 'consult-2', code: 'ZX-002', prefix: consult.prefix }] };
    expect(() => hall.store.importCatalogue(clashing, now)).toThrow(`ticket prefix ${consult.prefix} of service consult-2 is already used by service consult`);
    expect(hall.store.db.prepare('SELECT count(*) FROM services').pluck().get()).toBe(before);
    // the same service may keep its prefix, and a service named in the file may hand its prefix on
    const renamed = { ...DEMO_CATALOGUE, services: [{ ...consult, prefix: 'ZZ' }, { ...consult, id: 'consult-2', code: 'ZX-002' }] };
    // ... but not on a day the prefix already numbered that service's tickets
    hall.execute({ type: 'issue', serviceId: 'consult', idempotencyKey: 'key-prefix-1', deviceId: 'kiosk' }, device);
    expect(() => hall.store.importCatalogue(renamed, now)).toThrow(/numbered today's tickets of service consult/);
    now += 24 * 3_600_000;
    hall.store.importCatalogue(renamed, now);
    expect(hall.store.db.prepare('SELECT count(*) FROM services').pluck().get()).toBe((before as number) + 1);
    hall.store.close();
  });

});

describe('backup', () => {
  it('makes a consistent online copy that opens as a hall database', async () => {
    const hall = openHall();
    hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-backup-1', deviceId: 'kiosk' }, device);
    const target = join(dir, 'backups', 'copy.db');
    await backupDatabase(hall.store.db, target);
    hall.execute({ type: 'issue', serviceId: 'id-card', idempotencyKey: 'key-backup-2', deviceId: 'kiosk' }, device);
    const copy = new HallStore(openDatabase(target));
    const state = copy.load(now, '2026-11-23');
    expect([...state.tickets.values()].map((t) => t.number)).toEqual(['A001']);
    expect(state.services.size).toBe(DEMO_CATALOGUE.services.length);
    copy.close();
    hall.store.close();
  });
});
