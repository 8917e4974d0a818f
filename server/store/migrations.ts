// Schema migrations: an ordered list in code, tracked by PRAGMA user_version.
// Never edit a migration that has shipped; append a new one.
import type { Database } from 'better-sqlite3';
import { eventHash, GENESIS_HASH, type EventRow } from './audit-chain.ts';

export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'catalogue, staff, devices, tickets, counters, events',
    up(db) {
      db.exec(`
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;
        CREATE TABLE settings (
          id     INTEGER PRIMARY KEY CHECK (id = 1),
          config TEXT NOT NULL
        ) STRICT;
        CREATE TABLE categories (
          id    TEXT PRIMARY KEY,
          names TEXT NOT NULL,
          sort  INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE services (
          id     TEXT PRIMARY KEY,
          config TEXT NOT NULL,
          sort   INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE staff (
          id            TEXT PRIMARY KEY,
          login         TEXT NOT NULL UNIQUE,
          name          TEXT NOT NULL,
          staff_no      TEXT NOT NULL,
          role          TEXT NOT NULL CHECK (role IN ('clerk', 'manager', 'admin')),
          password_hash TEXT NOT NULL,
          active        INTEGER NOT NULL DEFAULT 1,
          created_at    INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE counters (
          id                   TEXT PRIMARY KEY,
          number               INTEGER NOT NULL UNIQUE,
          config               TEXT NOT NULL,
          sort                 INTEGER NOT NULL,
          status               TEXT NOT NULL DEFAULT 'signed_out',
          staff_id             TEXT REFERENCES staff(id),
          current_ticket_id    TEXT,
          pause_reason         TEXT,
          consecutive_priority INTEGER NOT NULL DEFAULT 0,
          status_since         INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE TABLE devices (
          id         TEXT PRIMARY KEY,
          kind       TEXT NOT NULL CHECK (kind IN ('kiosk', 'counter', 'display', 'evaluator', 'manager')),
          name       TEXT NOT NULL,
          counter_id TEXT REFERENCES counters(id),
          area       TEXT,
          token_hash TEXT NOT NULL UNIQUE,
          revoked_at INTEGER,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE daily_sequences (
          business_date TEXT NOT NULL,
          service_id    TEXT NOT NULL,
          last_seq      INTEGER NOT NULL,
          PRIMARY KEY (business_date, service_id)
        ) STRICT;
        CREATE TABLE tickets (
          id                  TEXT PRIMARY KEY,
          number              TEXT NOT NULL,
          daily_seq           INTEGER NOT NULL,
          service_id          TEXT NOT NULL REFERENCES services(id),
          business_date       TEXT NOT NULL,
          issued_at           INTEGER NOT NULL,
          issue_seq           INTEGER NOT NULL,
          queue_at            INTEGER NOT NULL,
          status              TEXT NOT NULL,
          priority            TEXT,
          id_hash             TEXT,
          id_masked           TEXT,
          tracking_token      TEXT NOT NULL UNIQUE,
          idempotency_key     TEXT UNIQUE,
          issued_by_device_id TEXT,
          recalls             INTEGER NOT NULL,
          counter_id          TEXT REFERENCES counters(id),
          directed_counter_id TEXT REFERENCES counters(id),
          called_at           INTEGER,
          started_at          INTEGER,
          served_ms           INTEGER NOT NULL,
          finished_at         INTEGER,
          outcome             TEXT,
          chosen_by           TEXT,
          transfers           INTEGER NOT NULL,
          suspend_return      TEXT,
          cancel_reason       TEXT,
          UNIQUE (business_date, number)
        ) STRICT;
        CREATE INDEX tickets_open ON tickets (status) WHERE status NOT IN ('completed', 'no_show', 'cancelled');
        CREATE INDEX tickets_day ON tickets (business_date);
        CREATE TABLE events (
          id        INTEGER PRIMARY KEY AUTOINCREMENT,
          seq       INTEGER,
          type      TEXT NOT NULL,
          at        INTEGER NOT NULL,
          device_id TEXT,
          staff_id  TEXT,
          payload   TEXT NOT NULL
        ) STRICT;
        CREATE INDEX events_seq ON events (seq);
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
          BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
          BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      `);
    },
  },
  {
    version: 2,
    description: 'hash chain over the events (tamper-evident audit trail)',
    up(db) {
      db.exec(`
        ALTER TABLE events ADD COLUMN prev_hash TEXT;
        ALTER TABLE events ADD COLUMN hash TEXT;
      `);
    },
  },
  {
    version: 3,
    description: 'chain the events written before the audit chain existed',
    // Migration 2 added the columns but left the events already there unchained (hash NULL), and the
    // first event after it linked to the genesis hash: such a hall's chain could never verify. The
    // whole chain is computed again, in order, from the first event (heads written down before this
    // upgrade no longer match; `hall audit head` gives the new one). A hall whose events are all
    // chained is not touched.
    up(db) {
      const unchained = db.prepare('SELECT count(*) FROM events WHERE hash IS NULL').pluck().get() as number;
      if (unchained === 0) return;
      const rows = db.prepare('SELECT id, seq, type, at, device_id, staff_id, payload FROM events ORDER BY id').all() as Omit<
        EventRow,
        'prev_hash' | 'hash'
      >[];
      db.exec('DROP TRIGGER IF EXISTS events_append_only_update');
      const set = db.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?');
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const hash = eventHash(prev, row);
        set.run(prev, hash, row.id);
        prev = hash;
      }
      db.exec(`CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;`);
    },
  },
  {
    version: 4,
    description: "clerk sessions: each counter's current sign-in, so a restart cannot hand it to another terminal",
    // Kept so that after a restart only the terminal holding the counter's session may resume it, and
    // its expiry still counts from the sign-in (server/realtime.ts). Not events: a session is not hall
    // state, and it is gone with the sign-out, the clerk's move or the close of the day.
    up(db) {
      db.exec(`
        CREATE TABLE clerk_sessions (
          counter_id TEXT PRIMARY KEY,
          session_id TEXT NOT NULL,
          staff_id TEXT NOT NULL,
          started_at INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 5,
    description: '呼叫帮办 requests from the kiosks, until a hall manager takes them',
    // Kept so that a dashboard opened (or reconnected, or the server restarted) after a visitor asked
    // for help still shows the request, and who took it (server/assist.ts). Not events: a request is not
    // queue state and holds nothing about the visitor.
    up(db) {
      db.exec(`
        CREATE TABLE assist_requests (
          id TEXT PRIMARY KEY,
          business_date TEXT NOT NULL,
          device_id TEXT NOT NULL,
          device_name TEXT NOT NULL,
          reason TEXT,
          requested_at INTEGER NOT NULL,
          last_requested_at INTEGER NOT NULL,
          times INTEGER NOT NULL DEFAULT 1,
          handled_at INTEGER,
          handled_by TEXT
        );
        CREATE INDEX assist_requests_by_date ON assist_requests (business_date);
      `);
    },
  },
  {
    version: 6,
    description: "services a hall manager stopped issuing for: the projection of service.issuing_paused / _resumed",
    up(db) {
      db.exec(`
        CREATE TABLE service_issuing_pauses (
          service_id TEXT PRIMARY KEY,
          reason TEXT NOT NULL,
          since INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 7,
    description: 'services a hall manager gave a counter for the day (潮汐窗口): the projection of counter.services_set',
    up(db) {
      db.exec(`
        CREATE TABLE counter_services_set (
          counter_id TEXT PRIMARY KEY,
          services TEXT NOT NULL,
          since INTEGER NOT NULL
        );
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class FutureDatabaseError extends Error {
  constructor(found: number, supported: number) {
    super(
      `this database has schema version ${found}, but this hall server only knows up to ${supported}: ` +
        'it was written by a newer release. Run that release, or restore a backup made by this one.',
    );
    this.name = 'FutureDatabaseError';
  }
}

/** Applies every pending migration in one transaction; refuses a database from the future. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  if (from > latest) throw new FutureDatabaseError(from, latest);
  const pending = migrations.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from };
  db.transaction(() => {
    for (const m of pending) m.up(db);
    db.pragma(`user_version = ${latest}`);
  }).immediate();
  return { from, to: latest };
}
