// Opens the hall database: one writer connection, WAL, synchronous=FULL, foreign keys, busy timeout.
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.ts';

export const BUSY_TIMEOUT_MS = 5_000;

export function openDatabase(file: string, options: { readonly?: boolean } = {}): Database {
  if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // Every acknowledged ticket must survive a power cut: fsync the WAL on each commit.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }
  return db;
}

/** A consistent online copy of the database (SQLite's backup API), safe while the server writes. */
export async function backupDatabase(db: Database, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  await db.backup(target);
}
