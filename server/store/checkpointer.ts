// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that crosses
// wal_autocheckpoint pages: that commit then also copies ~1,000 pages into the database file and fsyncs
// it, and since better-sqlite3 is synchronous the whole server stops with it — tens of milliseconds
// (up to 80 ms seen in the load bench) every few seconds under load, which was most of the
// ticket:issue acknowledgement's p99. Here a worker thread with its own connection runs a PASSIVE
// checkpoint every CHECKPOINT_INTERVAL_MS, and the server's connection no longer checkpoints by itself.
// PASSIVE never waits for the writer and never blocks it; SQLite keeps the checkpoint crash-safe, and
// the writer starts the WAL over once every frame has been copied back. If the worker cannot start or
// fails, the server's connection goes back to checkpointing by itself.
import type { Database } from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.ts';

export const CHECKPOINT_INTERVAL_MS = 1_000;
/** SQLite's default, restored when the worker is not there */
const AUTOCHECKPOINT_PAGES = 1_000;

export interface CheckpointResult {
  /** frames in the WAL, and how many of them are now in the database file */
  walFrames: number;
  checkpointed: number;
  ms: number;
}

export interface Checkpointer {
  /** asks for a checkpoint now and resolves with its result (null when the worker is gone) */
  checkpoint(): Promise<CheckpointResult | null>;
  stop(): Promise<void>;
}

// A classic script, so it needs no file of its own beside a bundled server (dist/main/hall-server.mjs).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  const started = performance.now();
  try {
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ ok: true, walFrames: row.log, checkpointed: row.checkpointed, ms: performance.now() - started });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: String(err && err.message || err) });
  }
});
parentPort.postMessage({ ready: true });
`;

type WorkerMessage = { ready: true } | ({ ok: true } & CheckpointResult) | { ok: false; message: string };

/** What the server gets when checkpoints stay on its own connection (in memory, read-only, or no worker). */
const NO_CHECKPOINTER: Checkpointer = { checkpoint: async () => null, stop: async () => {} };

export async function startCheckpointer(
  db: Database,
  log: Logger,
  options: { intervalMs?: number; busyTimeoutMs?: number; /** the better-sqlite3 module the worker loads (tests) */ driver?: string } = {},
): Promise<Checkpointer> {
  let stopping = false;
  const fallBack = (why: string, err?: unknown) => {
    if (stopping || !db.open) return;
    log.warn({ err, why }, 'WAL checkpoints back on the server connection');
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  if (db.memory || db.readonly) return NO_CHECKPOINTER;

  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3'),
        file: db.name,
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
      },
    });
  } catch (err) {
    fallBack('the checkpoint worker did not start', err);
    return NO_CHECKPOINTER;
  }

  let alive = true;
  const waiting: ((r: CheckpointResult | null) => void)[] = [];
  const ready = new Promise<boolean>((resolve) => {
    worker.once('error', (err) => {
      alive = false;
      resolve(false);
      fallBack('the checkpoint worker failed', err);
      for (const w of waiting.splice(0)) w(null);
    });
    worker.once('exit', (code) => {
      if (alive) fallBack(`the checkpoint worker exited (${code})`);
      alive = false;
      resolve(false);
      for (const w of waiting.splice(0)) w(null);
    });
    worker.on('message', (m: WorkerMessage) => {
      if ('ready' in m) return resolve(true);
      const answer = waiting.shift();
      if (m.ok) answer?.({ walFrames: m.walFrames, checkpointed: m.checkpointed, ms: m.ms });
      else {
        log.warn({ message: m.message }, 'WAL checkpoint failed');
        answer?.(null);
      }
    });
  });
  if (!(await ready)) return NO_CHECKPOINTER;
  db.pragma('wal_autocheckpoint = 0');

  const checkpoint = (): Promise<CheckpointResult | null> => {
    if (!alive) return Promise.resolve(null);
    return new Promise((resolve) => {
      waiting.push(resolve);
      worker.postMessage('checkpoint');
    });
  };
  const timer = setInterval(() => {
    if (waiting.length > 0) return; // the last one is still running
    void checkpoint().then((r) => {
      if (r && r.ms > 200) log.info({ ...r }, 'slow WAL checkpoint');
    });
  }, options.intervalMs ?? CHECKPOINT_INTERVAL_MS);
  timer.unref();
  worker.unref();

  return {
    checkpoint,
    async stop() {
      clearInterval(timer);
      stopping = true;
      if (!alive) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref(); // keep the process up until the worker has closed its connection
      worker.postMessage('close');
      await exited;
    },
  };
}
