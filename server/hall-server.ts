// Composes the hall server: database, hall, HTTP and Socket.IO on one port.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DATABASE_FILE } from './config.ts';
import { seedDemoHall, type DemoCredentials } from './demo-hall.ts';
import { Hall } from './hall.ts';
import { createHttpApp } from './http.ts';
import { createLogger, type Logger } from './log.ts';
import { ConnectionLimits, DEFAULT_MAX_CONNECTIONS_PER_DEVICE, DEFAULT_RATE_LIMIT, RateLimiter, SignInGuard } from './limits.ts';
import { runDailyBackup, runRetention } from './maintenance.ts';
import { attachRealtime, type Realtime } from './realtime.ts';
import { newSecret } from './security.ts';
import { auditHead } from './store/audit-chain.ts';
import { startCheckpointer } from './store/checkpointer.ts';
import { openDatabase, PID_FILE, SERVER_BUSY_TIMEOUT_MS, syncPath } from './store/database.ts';
import { HallStore } from './store/hall-store.ts';
import { startServerTimings } from './timings.ts';
import { startTrace } from './trace.ts';

export interface HallServerOptions {
  dataDir: string;
  port: number;
  host: string;
  demo?: boolean;
  clock?: () => number;
  log?: Logger;
  /** built pages to serve; defaults to dist/renderer beside the project */
  staticRoot?: string | null;
  /** daily backups kept in <dataDir>/backups (default 14) */
  backupsKept?: number;
  /** commands per device: a token bucket (default 30/s, bursts of 60) */
  rateLimit?: { perSecond: number; burst: number };
  /** at most one hall:update per this many ms to displays, kiosks, evaluators and managers (default LISTENER_UPDATE_MS) */
  listenerUpdateMs?: number;
  /** how often silent revoked devices are looked for (REVOCATION_CHECK_MS); tests stretch it */
  revocationCheckMs?: number;
  /** socket connections one device token may hold open (DEFAULT_MAX_CONNECTIONS_PER_DEVICE) */
  maxConnectionsPerDevice?: number;
  /** write a diagnostic trace of the event loop to this file (server/trace.ts) */
  traceFile?: string;
}

export interface RunningHallServer {
  url: string;
  port: number;
  hall: Hall;
  store: HallStore;
  realtime: Realtime;
  demo: DemoCredentials | null;
  close(): Promise<void>;
}

const ROLLOVER_CHECK_MS = 30_000;
export const DEFAULT_BACKUPS_KEPT = 14;
export const SECRET_FILE = 'hall-secret.key';

/** the shortest key accepted from the secret file: 128 bits as hex (newSecret writes 256) */
const MIN_SECRET_CHARS = 32;

/**
 * The ID-hash key lives beside the database, not in it, so a copied database or backup alone cannot
 * be brute-forced. A file too short to be a key (emptied, truncated by a crash) stops the server: with
 * a weak key the stored hashes next to the masked IDs would give the ID numbers away.
 */
export function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < MIN_SECRET_CHARS) {
      throw new Error(`${file} holds no usable key (${secret.length} characters): restore it from where you keep it with the backups; see docs/operations.md`);
    }
    return secret;
  }
  const secret = newSecret();
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  syncPath(file); // on disk before the first hash made with it
  return secret;
}

export const DEFAULT_STATIC_ROOT = resolve(import.meta.dirname, '..', 'dist', 'renderer');

export async function startHallServer(options: HallServerOptions): Promise<RunningHallServer> {
  const log = options.log ?? createLogger();
  const clock = options.clock ?? Date.now;
  mkdirSync(options.dataDir, { recursive: true });
  // opened first: a trace file that cannot be opened stops the start before anything else is
  const trace = startTrace(options.traceFile, (err) => log.error({ err }, 'the diagnostic trace could not be written: tracing stopped'));
  const idHashSecret = loadOrCreateSecret(options.dataDir); // before anything is opened: it may refuse to start
  // `hall restore` refuses while this file names a live process (from before the database is opened)
  const pidFile = join(options.dataDir, PID_FILE);
  writeFileSync(pidFile, `${process.pid}\n`);
  const db = openDatabase(join(options.dataDir, DATABASE_FILE), { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
  const checkpointer = await startCheckpointer(db, log);
  const store = new HallStore(db);
  let demo: DemoCredentials | null = null;
  if (options.demo !== false && store.isEmpty()) demo = seedDemoHall(store, clock());
  const hall = new Hall(store, { clock, log, idHashSecret, trace });
  const backupsKept = options.backupsKept ?? DEFAULT_BACKUPS_KEPT;
  // Each step on its own: one that fails is logged and does not keep the others from running.
  const housekeeping = async () => {
    try {
      runRetention(hall, log, options.dataDir);
    } catch (err) {
      log.error({ err }, 'daily retention purge failed');
    }
    try {
      // the chain's head in the log, outside the database: `hall audit verify --head` checks against it
      const head = auditHead(hall.store.db);
      if (head) log.info({ auditHead: `${head.id}:${head.hash}` }, 'audit chain head');
    } catch (err) {
      log.error({ err }, 'reading the audit chain head failed');
    }
    try {
      await runDailyBackup(hall, options.dataDir, backupsKept, log);
    } catch (err) {
      log.error({ err }, 'daily backup failed');
    }
  };
  // one run at a time; close() waits for the one under way
  let housekeepingRun = housekeeping();
  let stopping = false;
  const housekeep = () => {
    if (stopping) return;
    housekeepingRun = housekeepingRun.then(housekeeping);
  };
  await housekeepingRun;
  const rate = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const rateLimiter = new RateLimiter(rate.perSecond, rate.burst, clock);
  const signInGuard = new SignInGuard(clock);
  const timings = startServerTimings(hall.commitTimes, { commands: hall.commandTimes });
  const app = await createHttpApp(hall, {
    log,
    timings: timings.view,
    staticRoot: options.staticRoot === undefined ? DEFAULT_STATIC_ROOT : options.staticRoot,
    rateLimiter,
  });
  const connections = new ConnectionLimits(options.maxConnectionsPerDevice ?? DEFAULT_MAX_CONNECTIONS_PER_DEVICE, clock);
  const realtime = attachRealtime(app.server, hall, log, { rateLimiter, signInGuard, connections }, { listenerUpdateMs: options.listenerUpdateMs, revocationCheckMs: options.revocationCheckMs });
  await app.listen({ port: options.port, host: options.host });
  const port = (app.server.address() as AddressInfo).port;
  // The day may turn over in a command (the first after midnight) or in this check: housekeeping
  // follows the change wherever it happened.
  const unsubscribeDay = hall.onChange((change) => {
    if (change.dayChanged) setImmediate(housekeep); // after the command that turned the day over
  });
  const rollover = setInterval(() => hall.rollOver(), ROLLOVER_CHECK_MS);
  rollover.unref();
  let closed: Promise<void> | null = null;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    hall,
    store,
    realtime,
    demo,
    close() {
      closed ??= (async () => {
        stopping = true;
        clearInterval(rollover);
        unsubscribeDay();
        await housekeepingRun;
        timings.stop();
        await realtime.close();
        await app.close();
        await checkpointer.stop();
        store.close();
        await trace?.close();
        if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile, { force: true });
      })();
      return closed;
    },
  };
}
