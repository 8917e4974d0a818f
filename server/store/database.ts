// Opens the hall database: one writer connection, WAL, synchronous=FULL, foreign keys, busy timeout.
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/**
 * Replaces the data directory's database with a backup, after checking the backup is a sound hall
 * database this release can open. The server must be stopped.
 */
export function restoreDatabase(backupFile: string, dataDir: string, databaseFile = 'hall.db'): void {
  const source = new BetterSqlite3(backupFile, { readonly: true, fileMustExist: true });
  try {
    const version = source.pragma('user_version', { simple: true }) as number;
    if (version < 1 || version > SCHEMA_VERSION) throw new Error(`${backupFile} is not a hall database this release can open (schema ${version})`);
    const integrity = source.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${backupFile} fails SQLite's integrity check: ${String(integrity)}`);
  } finally {
    source.close();
  }
  const target = join(dataDir, databaseFile);
  mkdirSync(dataDir, { recursive: true });
  for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
  copyFileSync(backupFile, target);
}
