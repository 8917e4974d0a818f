// Daily automatic backups with rotation, and the documented restore (`hall restore FILE`).
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runDailyBackup } from '../../server/maintenance.ts';
import { silentLogger } from '../../server/log.ts';
import type { IssueTicketResult } from '../../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, tempDataDir, type TestHall } from '../helpers/hall.ts';
import { runCli } from '../helpers/process.ts';

const DAY_MS = 24 * 3_600_000;
let hall: TestHall | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await hall?.stop();
  hall = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('daily backups', () => {
  it('writes one backup per business day and keeps only the newest N', async () => {
    let now = Date.UTC(2026, 10, 1, 2, 0);
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    hall = await startTestHall({ dataDir, clock: () => now, backupsKept: 3 });
    const backups = () => readdirSync(join(dataDir, 'backups')).sort();
    expect(backups()).toEqual(['hall-2026-11-01.db']); // written at start-up
    expect(await runDailyBackup(hall.hall, dataDir, 3, silentLogger())).toBeNull(); // once a day
    for (let day = 2; day <= 6; day++) {
      now += DAY_MS;
      await runDailyBackup(hall.hall, dataDir, 3, silentLogger());
    }
    expect(backups()).toEqual(['hall-2026-11-04.db', 'hall-2026-11-05.db', 'hall-2026-11-06.db']);
  });
});

describe('restore', () => {
  it('brings a hall back to the backup, and refuses a file that is not a hall database', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    hall = await startTestHall({ dataDir });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const issue = async () => okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() })).ticket.number;
    expect(await issue()).toBe('L001');
    const backup = join(dataDir, 'before.db');
    expect(runCli(['backup', backup, '--data-dir', dataDir]).status).toBe(0);
    expect(await issue()).toBe('L002'); // handed out after the backup
    const whileRunning = runCli(['restore', backup, '--data-dir', dataDir]);
    expect(whileRunning.status).toBe(1);
    expect(whileRunning.stderr).toMatch(/is running on .*: stop it first/);
    await hall.stop();
    hall = null;
    expect(existsSync(join(dataDir, 'hall.pid'))).toBe(false);

    const junk = join(dataDir, 'junk.db');
    writeFileSync(junk, 'not a database');
    expect(runCli(['restore', junk, '--data-dir', dataDir]).status).toBe(1);
    const foreign = new BetterSqlite3(join(dataDir, 'foreign.db'));
    foreign.exec('CREATE TABLE notes (x TEXT); PRAGMA user_version = 1;');
    foreign.close();
    const notHall = runCli(['restore', join(dataDir, 'foreign.db'), '--data-dir', dataDir]);
    expect(notHall.status).toBe(1);
    expect(notHall.stderr).toMatch(/is not a hall database: it has no categories/);

    const restored = runCli(['restore', backup, '--data-dir', dataDir]);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/numbering continues after the 1 ticket number/);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('hall.db')).sort()).toEqual(['hall.db']);
    hall = await startTestHall({ dataDir });
    const again = await hall.connect('/kiosk', 'demo-kiosk-1');
    expect(again.snapshot.services.find((s) => s.id === 'consult')?.waiting).toBe(1);
    // L002 is printed on a ticket the backup does not know: it is not issued a second time
    const next = okData(await again.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
    expect(next.ticket.number).toBe('L003');
    expect(runCli(['audit', 'verify', '--data-dir', dataDir]).status).toBe(0);
    const trail = new BetterSqlite3(join(dataDir, 'hall.db'), { readonly: true });
    expect(JSON.parse(trail.prepare("SELECT payload FROM events WHERE type = 'backup.restored'").pluck().get() as string)).toEqual({ from: 'before.db', numbersCarried: 1 });
    trail.close();
  });
});
