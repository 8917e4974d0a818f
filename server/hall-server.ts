// Composes the hall server: database, hall, HTTP and Socket.IO on one port.
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DATABASE_FILE } from './config.ts';
import { seedDemoHall, type DemoCredentials } from './demo-hall.ts';
import { Hall } from './hall.ts';
import { createHttpApp } from './http.ts';
import { createLogger, type Logger } from './log.ts';
import { attachRealtime } from './realtime.ts';
import { openDatabase } from './store/database.ts';
import { HallStore } from './store/hall-store.ts';

export interface HallServerOptions {
  dataDir: string;
  port: number;
  host: string;
  demo?: boolean;
  clock?: () => number;
  log?: Logger;
  /** built pages to serve; defaults to dist/renderer beside the project */
  staticRoot?: string | null;
}

export interface RunningHallServer {
  url: string;
  port: number;
  hall: Hall;
  store: HallStore;
  demo: DemoCredentials | null;
  close(): Promise<void>;
}

const ROLLOVER_CHECK_MS = 30_000;

export const DEFAULT_STATIC_ROOT = resolve(import.meta.dirname, '..', 'dist', 'renderer');

export async function startHallServer(options: HallServerOptions): Promise<RunningHallServer> {
  const log = options.log ?? createLogger();
  const clock = options.clock ?? Date.now;
  const db = openDatabase(join(options.dataDir, DATABASE_FILE));
  const store = new HallStore(db);
  let demo: DemoCredentials | null = null;
  if (options.demo !== false && store.isEmpty()) demo = seedDemoHall(store, clock());
  const hall = new Hall(store, { clock, log });
  const app = await createHttpApp(hall, { log, staticRoot: options.staticRoot === undefined ? DEFAULT_STATIC_ROOT : options.staticRoot });
  const realtime = attachRealtime(app.server, hall, log);
  await app.listen({ port: options.port, host: options.host });
  const port = (app.server.address() as AddressInfo).port;
  const rollover = setInterval(() => hall.rollOver(), ROLLOVER_CHECK_MS);
  rollover.unref();
  let closed: Promise<void> | null = null;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    hall,
    store,
    demo,
    close() {
      closed ??= (async () => {
        clearInterval(rollover);
        await realtime.close();
        await app.close();
        store.close();
      })();
      return closed;
    },
  };
}
