// Where the hall server listens and keeps its data: flags first, then environment, then defaults.
import { resolve } from 'node:path';

export interface HallConfig {
  host: string;
  port: number;
  dataDir: string;
  /** seed the demo hall when the database is empty */
  demo: boolean;
  /** socket connections one device token may hold open (null: the server's default) */
  maxConnectionsPerDevice: number | null;
  /** a diagnostic trace of the event loop goes to this file (server/trace.ts); null: none */
  traceFile: string | null;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

export function resolveConfig(
  flags: { host?: string | undefined; port?: string | undefined; dataDir?: string | undefined; demo?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
): HallConfig {
  const portText = flags.port ?? env.HALL_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${portText}`);
  return {
    host: flags.host ?? env.HALL_HOST ?? DEFAULT_HOST,
    port,
    dataDir: resolve(flags.dataDir ?? env.HALL_DATA_DIR ?? 'data'),
    demo: flags.demo ?? env.HALL_DEMO !== '0',
    maxConnectionsPerDevice: positiveWhole('HALL_MAX_CONNECTIONS_PER_DEVICE', env.HALL_MAX_CONNECTIONS_PER_DEVICE),
    traceFile: env.HALL_TRACE_FILE ? resolve(env.HALL_TRACE_FILE) : null,
  };
}

export const DATABASE_FILE = 'hall.db';

function positiveWhole(name: string, text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`invalid ${name}: ${text} (a whole number of at least 1)`);
  return n;
}
