// The audit trail is tamper-evident: `hall audit verify` names the first broken link.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventHash, type EventRow } from '../../server/store/audit-chain.ts';
import { idempotencyKey, okData, startTestHall, tempDataDir } from '../helpers/hall.ts';
import { runCli } from '../helpers/process.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = tempDataDir();
  const hall = await startTestHall({ dataDir });
  const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
  for (let i = 0; i < 5; i++) okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
  await hall.stop();
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function tamper(sql: string): void {
  const db = new BetterSqlite3(join(dataDir, 'hall.db'));
  // someone with the file can drop the append-only triggers; the chain still tells
  db.exec('DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;');
  db.exec(sql);
  db.close();
}

const allIds = () => {
  const db = new BetterSqlite3(join(dataDir, 'hall.db'), { readonly: true });
  const ids = db.prepare('SELECT id FROM events ORDER BY id').pluck().all() as number[];
  db.close();
  return ids;
};

const issuedIds = () => {
  const db = new BetterSqlite3(join(dataDir, 'hall.db'), { readonly: true });
  const ids = db.prepare("SELECT id FROM events WHERE type = 'ticket.issued' ORDER BY id").pluck().all() as number[];
  db.close();
  return ids;
};

describe('hall audit verify', () => {
  it('passes an untouched chain, admin events included', () => {
    const r = runCli(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.stdout).toMatch(/audit chain intact: \d+ events/);
    expect(r.status).toBe(0);
  });

  it('names the first changed event', () => {
    const target = issuedIds()[2]!;
    tamper(`UPDATE events SET payload = replace(payload, 'L003', 'L099') WHERE id = ${target}`);
    const r = runCli(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`BROKEN at event id ${target}`);
    expect(r.stdout).toMatch(/content does not match/);
  });

  it('notices a removed event', () => {
    const target = issuedIds()[1]!;
    tamper(`DELETE FROM events WHERE id = ${target}`);
    const r = runCli(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`BROKEN at event id ${target + 1}`);
  });

  it('notices that the newest events were removed', () => {
    const all = allIds();
    tamper(`DELETE FROM events WHERE id >= ${all.at(-2)!}`);
    const r = runCli(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`BROKEN at event id ${all.at(-2)!}`);
    expect(r.stdout).toMatch(new RegExp(`ids up to ${all.at(-1)!} were handed out`));
  });

  it('checks the chain against heads written down outside the database: a chain rewritten from some event on is told', () => {
    const head = runCli(['audit', 'head', '--data-dir', dataDir]).stdout.trim();
    expect(head).toMatch(/^\d+:[0-9a-f]{64}$/);
    expect(runCli(['audit', 'verify', '--head', head, '--data-dir', dataDir]).status).toBe(0);
    // rewrite an event and recompute every hash after it: the chain alone still holds
    const target = issuedIds()[2]!;
    const db = new BetterSqlite3(join(dataDir, 'hall.db'));
    db.exec('DROP TRIGGER events_append_only_update');
    db.prepare(`UPDATE events SET payload = replace(payload, 'L003', 'L099') WHERE id = ?`).run(target);
    let prev = db.prepare('SELECT hash FROM events WHERE id = ?').pluck().get(target - 1) as string;
    for (const row of db.prepare('SELECT * FROM events WHERE id >= ? ORDER BY id').all(target) as EventRow[]) {
      const hash = eventHash(prev, row);
      db.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?').run(prev, hash, row.id);
      prev = hash;
    }
    db.close();
    expect(runCli(['audit', 'verify', '--data-dir', dataDir]).status).toBe(0);
    const r = runCli(['audit', 'verify', '--head', head, '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`BROKEN at event id ${head.split(':')[0]}`);
    expect(r.stdout).toMatch(/not the one recorded/);
    expect(runCli(['audit', 'verify', '--head', 'nonsense', '--data-dir', dataDir]).status).not.toBe(0);
  });

  it('notices a rewritten event whose hash was recomputed without its successors', () => {
    const [first, second] = issuedIds();
    tamper(`UPDATE events SET hash = '${'f'.repeat(64)}' WHERE id = ${first}`);
    const r = runCli(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`BROKEN at event id ${first}`);
    expect(second).toBeGreaterThan(first!);
  });
});
