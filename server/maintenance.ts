// Daily housekeeping: the personal-data retention purge and the rotated automatic backup.
import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { businessDateOf } from '../shared/hall-time.ts';
import type { Hall } from './hall.ts';
import type { Logger } from './log.ts';
import { backupDatabase, SERVER_BUSY_TIMEOUT_MS } from './store/database.ts';
import { PURGE_PERSONAL_DATA_SQL } from './store/hall-store.ts';

export const BACKUP_DIR = 'backups';
const BACKUP_NAME = /^hall-(\d{4}-\d{2}-\d{2})\.db$/;
const PARTIAL_SUFFIX = '.partial';

/** YYYY-MM-DD minus whole days, on the calendar (no time zone involved). */
export function daysBefore(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
}

/**
 * Purges personal fields older than the retention period from the database and, when `dataDir` is
 * given, from every automatic backup in it (a backup must not keep what the hall may no longer hold).
 * Returns how many tickets of the live database were purged.
 */
export function runRetention(hall: Hall, log: Logger, dataDir?: string): number {
  const today = businessDateOf(hall.now(), hall.state.settings.timeZone);
  const cutoff = daysBefore(today, hall.state.settings.personalDataRetentionDays);
  const purged = hall.store.purgePersonalData(cutoff, hall.now());
  if (purged > 0) {
    log.info({ purged, before: cutoff }, 'personal data purged');
    if (!hall.store.emptyWal()) log.warn('a reader held the WAL: the purged fields stay in it until its next checkpoint overwrites them');
  }
  const dir = dataDir === undefined ? null : join(dataDir, BACKUP_DIR);
  if (dir !== null && existsSync(dir)) {
    for (const file of readdirSync(dir).filter((f) => BACKUP_NAME.test(f))) {
      try {
        const n = purgeBackup(join(dir, file), cutoff);
        if (n > 0) log.info({ file, purged: n, before: cutoff }, 'personal data purged from a backup');
      } catch (err) {
        // one unreadable file must not stop the others, nor the day's backup after this
        log.warn({ err, file }, 'could not purge personal data from a backup');
      }
    }
  }
  return purged;
}

/** The retention purge on one backup file; secure_delete overwrites what it removes. */
function purgeBackup(file: string, cutoff: string): number {
  const db = new BetterSqlite3(file, { fileMustExist: true, timeout: SERVER_BUSY_TIMEOUT_MS });
  try {
    db.pragma('secure_delete = ON');
    return db.prepare(PURGE_PERSONAL_DATA_SQL).run(cutoff).changes;
  } finally {
    db.close();
  }
}

/**
 * Writes today's backup once (`backups/hall-YYYY-MM-DD.db`) and keeps the newest `keep` of them.
 * Returns the file written, or null when today's already existed.
 */
export async function runDailyBackup(hall: Hall, dataDir: string, keep: number, log: Logger): Promise<string | null> {
  const dir = join(dataDir, BACKUP_DIR);
  mkdirSync(dir, { recursive: true });
  const today = businessDateOf(hall.now(), hall.state.settings.timeZone);
  // A backup is written under a temporary name and renamed when complete: one cut short (a crash,
  // a full disk) leaves only a partial file, removed here next time, never a day's file that is not whole.
  for (const f of readdirSync(dir)) if (f.includes(PARTIAL_SUFFIX)) rmSync(join(dir, f), { force: true });
  const existing = readdirSync(dir).filter((f) => BACKUP_NAME.test(f)).sort();
  let written: string | null = null;
  if (!existing.includes(`hall-${today}.db`)) {
    written = join(dir, `hall-${today}.db`);
    await backupDatabase(hall.store.db, written + PARTIAL_SUFFIX);
    renameSync(written + PARTIAL_SUFFIX, written);
    existing.push(`hall-${today}.db`);
    existing.sort();
    log.info({ file: written }, 'daily backup written');
  }
  for (const old of existing.slice(0, Math.max(0, existing.length - keep))) rmSync(join(dir, old), { force: true });
  return written;
}
