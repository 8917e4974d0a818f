// The events table as a tamper-evident audit trail: each row carries the SHA-256 of its content and
// of its predecessor's hash, so changing, inserting or removing a row breaks every later link.
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export const GENESIS_HASH = '0'.repeat(64);

export interface EventRow {
  id: number;
  seq: number | null;
  type: string;
  at: number;
  device_id: string | null;
  staff_id: string | null;
  payload: string;
  prev_hash: string | null;
  hash: string | null;
}

export function eventHash(prevHash: string, row: Omit<EventRow, 'id' | 'prev_hash' | 'hash'>): string {
  return createHash('sha256')
    .update(JSON.stringify([prevHash, row.seq, row.type, row.at, row.device_id, row.staff_id, row.payload]))
    .digest('hex');
}

export type AuditResult =
  | { ok: true; events: number }
  | { ok: false; events: number; brokenAt: { id: number; seq: number | null; type: string }; reason: string };

/** An event's id and hash written down outside the database (`hall audit head`, the server's daily log line). */
export interface AuditAnchor {
  id: number;
  hash: string;
}

/** The last event's id and hash: what an auditor writes down to check the chain against later. */
export function auditHead(db: Database): AuditAnchor | null {
  const row = db.prepare('SELECT id, hash FROM events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string | null } | undefined;
  return row && row.hash !== null ? { id: row.id, hash: row.hash } : null;
}

/**
 * Walks the whole chain from the first event; names the first row whose link does not hold. The chain
 * alone proves that no row was changed, inserted or removed without recomputing every later hash;
 * removing the newest rows is told by SQLite's record of the highest id it handed out; and rewriting
 * the chain from some row on is told by `anchors`, heads recorded outside the database, each of which
 * must still be there with the same hash.
 */
export function verifyAuditChain(db: Database, anchors: readonly AuditAnchor[] = []): AuditResult {
  let prev = GENESIS_HASH;
  let count = 0;
  let expectedId: number | null = null;
  let lastId = 0;
  const pending = new Map(anchors.map((a) => [a.id, a.hash]));
  for (const row of db.prepare('SELECT * FROM events ORDER BY id').iterate() as IterableIterator<EventRow>) {
    const broken = (reason: string): AuditResult => ({ ok: false, events: count, brokenAt: { id: row.id, seq: row.seq, type: row.type }, reason });
    if (expectedId !== null && row.id !== expectedId) return broken(`event ids jump from ${expectedId - 1} to ${row.id}: rows were removed`);
    expectedId = row.id + 1;
    if (row.prev_hash !== prev) return broken('its link to the previous event does not match');
    if (row.hash !== eventHash(prev, row)) return broken('its content does not match its hash');
    const recorded = pending.get(row.id);
    if (recorded !== undefined) {
      if (recorded !== row.hash) return broken('its hash is not the one recorded for it outside the database: the chain was rewritten from here or earlier');
      pending.delete(row.id);
    }
    prev = row.hash;
    count++;
    lastId = row.id;
  }
  const handedOut = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck().get() as number | undefined) ?? 0;
  const tail = (reason: string): AuditResult => ({ ok: false, events: count, brokenAt: { id: lastId + 1, seq: null, type: '(missing)' }, reason });
  if (handedOut > lastId) return tail(`the newest events were removed: ids up to ${handedOut} were handed out, the last one left is ${lastId}`);
  const [missing] = [...pending.keys()].sort((a, b) => a - b);
  if (missing !== undefined) return tail(`event ${missing}, recorded outside the database, is not there: the newest events were removed`);
  return { ok: true, events: count };
}
