// Daily automatic backups with rotation, and the documented restore (`hall restore FILE`).
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    expect(await issue()).toBe('L002');
    await hall.stop();
    hall = null;

    const junk = join(dataDir, 'junk.db');
    writeFileSync(junk, 'not a database');
    const refused = runCli(['restore', junk, '--data-dir', dataDir]);
    expect(refused.status).toBe(1);

    const restored = runCli(['restore', backup, '--data-dir', dataDir]);
    expect(restored.status).toBe(0);
    expect(existsSync(join(dataDir, 'hall.db-wal'))).toBe(false);
    hall = await startTestHall({ dataDir });
    const again = await hall.connect('/kiosk', 'demo-kiosk-1');
    expect(again.snapshot.services.find((s) => s.id === 'consult')?.waiting).toBe(1);
    const next = okData(await again.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
    expect(next.ticket.number).toBe('L002');
    expect(runCli(['audit', 'verify', '--data-dir', dataDir]).status).toBe(0);
  });
});
