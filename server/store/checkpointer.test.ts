// WAL checkpoints in a worker thread: the server's own connection stops checkpointing inside commits,
// the worker copies every frame back, and a worker that cannot run hands checkpointing back.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { tempDataDir } from '../../test/helpers/hall.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { openDatabase } from './database.ts';
import type { Database } from 'better-sqlite3';

let db: Database | null = null;
let checkpointer: Checkpointer | null = null;
let dir: string | null = null;

afterEach(async () => {
  await checkpointer?.stop();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = checkpointer = dir = null;
});

function open(): Database {
  dir = tempDataDir();
  db = openDatabase(join(dir, 'hall.db'));
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return db;
}

const write = (d: Database, rows: number) => {
  const insert = d.prepare('INSERT INTO filler (body) VALUES (?)');
  for (let i = 0; i < rows; i++) insert.run('x'.repeat(2_000)); // one commit each, like the hall's commands
};

describe('the WAL checkpointer', () => {
  it('takes checkpoints off the server connection and copies every frame back', async () => {
    const d = open();
    expect(d.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    checkpointer = await startCheckpointer(d, silentLogger(), { intervalMs: 60_000 });
    expect(d.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

    write(d, 1_500); // past the 1,000 pages at which a commit would have checkpointed by itself
    const walFile = join(dir!, 'hall.db-wal');
    const walBefore = statSync(walFile).size;
    expect(walBefore).toBeGreaterThan(1_000 * 4_096); // no commit checkpointed
    const result = await checkpointer.checkpoint();
    expect(result).not.toBeNull();
    expect(result!.walFrames).toBeGreaterThan(1_000);
    expect(result!.checkpointed).toBe(result!.walFrames);

    // everything was copied back: the writer starts the WAL over, so it stops growing
    write(d, 50);
    expect((await checkpointer.checkpoint())!.walFrames).toBeLessThan(200);
    expect(statSync(walFile).size).toBe(walBefore);
    expect(d.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(1_550);
  });

  it('hands checkpointing back to the server connection when the worker cannot run', async () => {
    const d = open();
    checkpointer = await startCheckpointer(d, silentLogger(), { driver: join(dir!, 'no-such-driver.js') });
    expect(d.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    expect(await checkpointer.checkpoint()).toBeNull();
    write(d, 10);
    expect(d.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(10);
  });
});
