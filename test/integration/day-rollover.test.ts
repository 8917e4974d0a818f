// The business day turning over at midnight: idempotency keys of earlier days, a close-day the
// database refuses, and the daily housekeeping (backup, retention) whichever way the day turned.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { IssueTicketResult } from '../../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, tempDataDir, type TestHall } from '../helpers/hall.ts';
import { waitFor } from '../helpers/load-clients.ts';

const DAY_MS = 24 * 3_600_000;
// 23:59:50 in Shanghai on 2026-11-23
const LATE = Date.UTC(2026, 10, 23, 15, 59, 50);

let hall: TestHall | null = null;
afterEach(async () => {
  await hall?.stop();
  hall = null;
});

describe('the business day turning over', () => {
  it("answers a key from an earlier day with IDEMPOTENCY_CONFLICT and changes nothing (the database never forgets a key)", async () => {
    let now = LATE;
    hall = await startTestHall({ clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const key = idempotencyKey();
    const first = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: key }));
    expect(first.ticket.number).toBe('L001');
    now += 20_000; // 00:00:10: the kiosk retries across midnight
    const seq = hall.hall.state.seq;
    expect(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: key })).toMatchObject({
      ok: false,
      error: { code: 'IDEMPOTENCY_CONFLICT' },
    });
    const http = await fetch(`${hall.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-2' },
      body: JSON.stringify({ serviceId: 'tax', idempotencyKey: key }),
    });
    expect(http.status).toBe(409);
    expect(await http.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_CONFLICT' } });
    expect(hall.hall.state.seq).toBe(seq + 1); // the close-day committed, nothing after it
    // a fresh key works, and today's numbering starts again
    expect(okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() })).ticket.number).toBe('L001');
  });

  it('refuses an idempotency key that is not well-formed Unicode (two lone surrogates would be one key on disk)', async () => {
    hall = await startTestHall();
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const seq = hall.hall.state.seq;
    for (const key of ['surrogate-\ud800', 'surrogate-\udbff']) {
      expect(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: key })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    expect(hall.hall.state.seq).toBe(seq);
  });

  it("keeps yesterday open until its close-day is written: no new day's numbers beside yesterday's waiting tickets", async () => {
    let now = LATE;
    hall = await startTestHall({ clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    for (let i = 0; i < 2; i++) okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
    const other = new BetterSqlite3(join(hall.dataDir, 'hall.db'));
    other.exec('BEGIN EXCLUSIVE'); // the database cannot be written at midnight
    now += 20_000;
    expect(hall.hall.rollOver()).toBe(false);
    expect(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() })).toMatchObject({
      ok: false,
      error: { code: 'STORE_UNAVAILABLE' },
    });
    expect([...hall.hall.state.tickets.values()].filter((t) => t.status === 'waiting')).toHaveLength(2);
    other.exec('ROLLBACK');
    other.close();
    // the next command closes yesterday first, then numbers today from 1
    const today = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
    expect(today.ticket).toMatchObject({ number: 'L001', peopleAhead: 0 });
    expect([...hall.hall.state.tickets.values()].filter((t) => t.status === 'waiting')).toHaveLength(1);
  });

  it('refuses the command whose close-day failed, even when the command itself could be written', async () => {
    let now = LATE;
    hall = await startTestHall({ clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
    // closing yesterday fails (cancelling its tickets); a new ticket alone could be written
    hall.store.db.exec("CREATE TRIGGER fail_close BEFORE UPDATE ON tickets WHEN NEW.status = 'cancelled' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    now += 20_000;
    const issue = () => kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() });
    expect(await issue()).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    expect(await issue()).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    hall.store.db.exec('DROP TRIGGER fail_close');
    expect(okData(await issue()).ticket).toMatchObject({ number: 'L001', peopleAhead: 0 });
  });

  it('retries a close-day that failed at start-up until it is written', async () => {
    let now = LATE;
    const dataDir = tempDataDir();
    try {
      hall = await startTestHall({ clock: () => now, dataDir });
      const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
      okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
      await hall.stop();
      const db = new BetterSqlite3(join(dataDir, 'hall.db'));
      db.exec("CREATE TRIGGER fail_close BEFORE UPDATE ON tickets WHEN NEW.status = 'cancelled' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
      db.close();
      now += DAY_MS; // the server starts the next day and cannot close yesterday
      hall = await startTestHall({ clock: () => now, dataDir });
      const again = await hall.connect('/kiosk', 'demo-kiosk-1');
      const issue = () => again.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() });
      expect(await issue()).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
      hall.store.db.exec('DROP TRIGGER fail_close');
      expect(okData(await issue()).ticket).toMatchObject({ number: 'L001', peopleAhead: 0 });
      expect([...hall.hall.state.tickets.values()].filter((t) => t.status === 'waiting')).toHaveLength(1);
    } finally {
      await hall?.stop();
      hall = null;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("writes the new day's backup when a command turned the day over, before the periodic check", async () => {
    let now = LATE;
    hall = await startTestHall({ clock: () => now });
    const backups = join(hall.dataDir, 'backups');
    expect(readdirSync(backups)).toEqual(['hall-2026-11-23.db']);
    // a backup cut short on an earlier run: only its partial file is left
    writeFileSync(join(backups, 'hall-2026-11-24.db.partial'), '');
    writeFileSync(join(backups, 'hall-2026-11-24.db.partial-journal'), '');
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    now += 60_000; // 00:00:50: the first tap of the day turns it over
    okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
    const file = join(backups, 'hall-2026-11-24.db');
    await waitFor(() => existsSync(file), 5_000, 'the new day’s backup');
    expect(readdirSync(backups).sort()).toEqual(['hall-2026-11-23.db', 'hall-2026-11-24.db']);
    const copy = new BetterSqlite3(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });
});
