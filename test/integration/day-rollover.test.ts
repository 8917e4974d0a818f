// The business day turning over at midnight: idempotency keys of earlier days, a close-day the
// database refuses, and the daily housekeeping (backup, retention) whichever way the day turned.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { IssueTicketResult } from '../../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, type TestHall } from '../helpers/hall.ts';
import { sleep } from '../helpers/load-clients.ts';

// 23:59:50 in Shanghai on 2026-11-23
const LATE = Date.UTC(2026, 10, 23, 15, 59, 50);

let hall: TestHall | null = null;
afterEach(async () => {
  await hall?.stop();
  hall = null;
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(25);
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

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
    await until(() => existsSync(file), 'the new day’s backup');
    expect(readdirSync(backups).sort()).toEqual(['hall-2026-11-23.db', 'hall-2026-11-24.db']);
    const copy = new BetterSqlite3(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });
});
