// Daily housekeeping: the personal-data retention purge and the rotated automatic backup.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { businessDateOf } from '../shared/hall-time.ts';
import type { Hall } from './hall.ts';
import type { Logger } from './log.ts';
import { backupDatabase } from './store/database.ts';

export const BACKUP_DIR = 'backups';
const BACKUP_NAME = /^hall-(\d{4}-\d{2}-\d{2})\.db$/;

/** YYYY-MM-DD minus whole days, on the calendar (no time zone involved). */
export function daysBefore(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
}

export function runRetention(hall: Hall, log: Logger): number {
  const today = businessDateOf(hall.now(), hall.state.settings.timeZone);
  const cutoff = daysBefore(today, hall.state.settings.personalDataRetentionDays);
  const purged = hall.store.purgePersonalData(cutoff, hall.now());
  if (purged > 0) log.info({ purged, before: cutoff }, 'personal data purged');
  return purged;
}

/**
 * Writes today's backup once (`backups/hall-YYYY-MM-DD.db`) and keeps the newest `keep` of them.
 * Returns the file written, or null when today's already existed.
 */
export async function runDailyBackup(hall: Hall, dataDir: string, keep: number, log: Logger): Promise<string | null> {
  const dir = join(dataDir, BACKUP_DIR);
  mkdirSync(dir, { recursive: true });
  const today = businessDateOf(hall.now(), hall.state.settings.timeZone);
  const existing = readdirSync(dir).filter((f) => BACKUP_NAME.test(f)).sort();
  let written: string | null = null;
  if (!existing.includes(`hall-${today}.db`)) {
    written = join(dir, `hall-${today}.db`);
    await backupDatabase(hall.store.db, written);
    existing.push(`hall-${today}.db`);
    existing.sort();
    log.info({ file: written }, 'daily backup written');
  }
  for (const old of existing.slice(0, Math.max(0, existing.length - keep))) rmSync(join(dir, old), { force: true });
  return written;
}
