// The retention job: personal fields go after `personalDataRetentionDays`, the tickets themselves stay.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runRetention } from '../../server/maintenance.ts';
import { silentLogger } from '../../server/log.ts';
import { idempotencyKey, okData, startTestHall, type TestHall } from '../helpers/hall.ts';
import { waitFor } from '../helpers/load-clients.ts';

const DAY_MS = 24 * 3_600_000;
let hall: TestHall | null = null;
afterEach(async () => {
  await hall?.stop();
  hall = null;
});

function row(dataDir: string): { number: string; id_hash: string | null; id_masked: string | null } {
  const db = new BetterSqlite3(join(dataDir, 'hall.db'), { readonly: true });
  const r = db.prepare("SELECT number, id_hash, id_masked FROM tickets WHERE service_id = 'hukou'").get() as {
    number: string;
    id_hash: string | null;
    id_masked: string | null;
  };
  db.close();
  return r;
}

describe('retention', () => {
  it('keeps ID hashes for the configured days, then purges them at the daily run', async () => {
    let now = Date.UTC(2026, 10, 2, 2, 0); // 10:00 in Shanghai
    hall = await startTestHall({ clock: () => now });
    const days = hall.hall.state.settings.personalDataRetentionDays;
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber: '11010519491231002X' }));
    expect(row(hall.dataDir)).toMatchObject({ number: 'B001', id_masked: '110***********002X' });
    expect(row(hall.dataDir).id_hash).toMatch(/^[0-9a-f]{64}$/);

    now += days * DAY_MS; // exactly the retention period: still kept
    hall.hall.rollOver();
    expect(runRetention(hall.hall, silentLogger())).toBe(0);
    expect(row(hall.dataDir).id_masked).not.toBeNull();

    now += DAY_MS; // one day past it: purged, the ticket stays
    hall.hall.rollOver();
    expect(runRetention(hall.hall, silentLogger())).toBe(1);
    expect(row(hall.dataDir)).toEqual({ number: 'B001', id_hash: null, id_masked: null });
  });

  it('purges the automatic backups too: none keeps a personal field the hall may no longer hold', async () => {
    let now = Date.UTC(2026, 10, 2, 2, 0);
    hall = await startTestHall({ clock: () => now, backupsKept: 60 });
    const days = hall.hall.state.settings.personalDataRetentionDays;
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber: '11010519491231002X' }));
    now += DAY_MS;
    hall.hall.rollOver(); // the server writes the new day's backup by itself
    const backup = join(hall.dataDir, 'backups', 'hall-2026-11-03.db');
    await waitFor(() => existsSync(backup), 5_000, 'the new day’s backup');
    expect(readFileSync(backup).includes('110***********002X')).toBe(true);
    now += days * DAY_MS; // one day past the retention period of the ticket's day
    hall.hall.rollOver();
    // a damaged file among the backups is passed over, not a reason to stop
    writeFileSync(join(hall.dataDir, 'backups', 'hall-2026-10-01.db'), 'not a database');
    expect(runRetention(hall.hall, silentLogger(), hall.dataDir)).toBe(1);
    const copy = new BetterSqlite3(backup, { readonly: true });
    expect(copy.prepare("SELECT id_hash, id_masked FROM tickets WHERE service_id = 'hukou'").get()).toEqual({ id_hash: null, id_masked: null });
    copy.close();
    expect(readFileSync(backup).includes('110***********002X')).toBe(false);
  });
});
