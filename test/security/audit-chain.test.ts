// The audit trail is tamper-evident: `hall audit verify` names the first broken link.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

  it('notices a rewritten event whose hash was recomputed without its successors', () => {
    const [first, second] = issuedIds();
    tamper(`UPDATE events SET hash = '${'f'.repeat(64)}' WHERE id = ${first}`);
    const r = runCli(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`BROKEN at event id ${first}`);
    expect(second).toBeGreaterThan(first!);
  });
});
