// Opens the hall database: one writer connection, WAL, synchronous=FULL, foreign keys, busy timeout.
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HallStore, type DailySequence } from './hall-store.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';

/** how long a CLI command waits for the running server's transaction */
export const BUSY_TIMEOUT_MS = 5_000;
/**
 * How long the hall server waits for a lock another process holds. better-sqlite3 is synchronous, so
 * the whole server (reads, screens, acknowledgements) waits with it: a command meeting a locked
 * database is refused after this (STORE_UNAVAILABLE) instead of freezing the hall for seconds. The
 * CLI's own writes beside a running server take milliseconds.
 */
export const SERVER_BUSY_TIMEOUT_MS = 200;

export function openDatabase(file: string, options: { readonly?: boolean; busyTimeoutMs?: number } = {}): Database {
  if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // Every acknowledged ticket must survive a power cut: fsync the WAL on each commit.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Purged personal data is overwritten on disk, not merely unlinked from the b-tree.
    db.pragma('secure_delete = ON');
    migrate(db);
  }
  return db;
}

/** A consistent online copy of the database (SQLite's backup API), safe while the server writes. */
export async function backupDatabase(db: Database, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  await db.backup(target);
}

/** The running hall server's process id, in its data directory while it runs. */
export const PID_FILE = 'hall.pid';

/** The tables every hall database has, whatever its schema version. */
const HALL_TABLES = ['categories', 'counters', 'daily_sequences', 'devices', 'events', 'services', 'settings', 'staff', 'tickets'];

/** The process id of a hall server running on `dataDir`, or null (no pid file, or its process is gone). */
export function runningServerPid(dataDir: string): number | null {
  const file = join(dataDir, PID_FILE);
  if (!existsSync(file)) return null;
  const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

export interface RestoreOutcome {
  /** per business day and service, numbers the replaced database had handed out past the backup's */
  numbersCarried: number;
}

/**
 * Replaces the data directory's database with a backup, after checking the backup is a sound hall
 * database this release can open, and refuses while a hall server runs on the directory. The copy is
 * written beside the database, synced and renamed over it, so a crash or a full disk midway leaves
 * the old database as it was. Numbers the replaced database had already handed out (when it can still
 * be read) are carried over, so no printed number is issued a second time, and the restore is recorded
 * in the restored audit trail.
 */
export function restoreDatabase(backupFile: string, dataDir: string, databaseFile = 'hall.db', now = Date.now()): RestoreOutcome {
  const pid = runningServerPid(dataDir);
  if (pid !== null && pid !== process.pid) {
    throw new Error(`a hall server (pid ${pid}) is running on ${dataDir}: stop it first (if none runs, remove ${join(dataDir, PID_FILE)})`);
  }
  const source = new BetterSqlite3(backupFile, { readonly: true, fileMustExist: true });
  try {
    const version = source.pragma('user_version', { simple: true }) as number;
    if (version < 1 || version > SCHEMA_VERSION) throw new Error(`${backupFile} is not a hall database this release can open (schema ${version})`);
    const integrity = source.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${backupFile} fails SQLite's integrity check: ${String(integrity)}`);
    const tables = new Set(source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const missing = HALL_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) throw new Error(`${backupFile} is not a hall database: it has no ${missing.join(', ')} table`);
  } finally {
    source.close();
  }
  const target = join(dataDir, databaseFile);
  mkdirSync(dataDir, { recursive: true });
  const handedOut = existsSync(target) ? settleAndReadSequences(target) : [];
  const temp = `${target}.restoring`;
  const removeTemp = () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(temp + suffix, { force: true });
  };
  removeTemp();
  copyFileSync(backupFile, temp);
  let numbersCarried: number;
  try {
    const db = openDatabase(temp);
    try {
      numbersCarried = new HallStore(db).recordRestore(basename(backupFile), handedOut, now);
    } finally {
      db.close(); // the last connection: SQLite checkpoints the copy's WAL into it and removes it
    }
  } catch (err) {
    removeTemp();
    throw err;
  }
  syncPath(temp);
  for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
  renameSync(temp, target);
  if (process.platform !== 'win32') syncPath(dataDir); // the rename itself; Windows cannot open a directory
  return { numbersCarried };
}

/**
 * Folds the replaced database's WAL into it (so removing the WAL later loses nothing, should the rename
 * not happen) and reads its daily sequences. A database that cannot be opened gives none.
 */
function settleAndReadSequences(file: string): DailySequence[] {
  try {
    const db = new BetterSqlite3(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      return db.prepare('SELECT business_date AS businessDate, service_id AS serviceId, last_seq AS lastSeq FROM daily_sequences').all() as DailySequence[];
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

/** fsync a file, or a directory (after a rename in it; not on Windows). */
export function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
