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

/** Walks the whole chain from the first event; names the first row whose link does not hold. */
export function verifyAuditChain(db: Database): AuditResult {
  let prev = GENESIS_HASH;
  let count = 0;
  let expectedId: number | null = null;
  for (const row of db.prepare('SELECT * FROM events ORDER BY id').iterate() as IterableIterator<EventRow>) {
    const broken = (reason: string): AuditResult => ({ ok: false, events: count, brokenAt: { id: row.id, seq: row.seq, type: row.type }, reason });
    if (expectedId !== null && row.id !== expectedId) return broken(`event ids jump from ${expectedId - 1} to ${row.id}: rows were removed`);
    expectedId = row.id + 1;
    if (row.prev_hash !== prev) return broken('its link to the previous event does not match');
    if (row.hash !== eventHash(prev, row)) return broken('its content does not match its hash');
    prev = row.hash;
    count++;
  }
  return { ok: true, events: count };
}
