// Test helpers: a real hall server on port 0 with a temporary database, and real Socket.IO clients.
import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { startHallServer, type HallServerOptions, type RunningHallServer } from '../../server/hall-server.ts';
import { silentLogger } from '../../server/log.ts';
import { PROTOCOL_VERSION, type Ack, type HallSnapshot, type ManagerSignInResult } from '../../shared/protocol.ts';

export interface TestHall extends RunningHallServer {
  dataDir: string;
  /** closes the server and every client opened through `connect`, and removes the data dir */
  stop(): Promise<void>;
  connect(namespace: string, token: string | null, extraAuth?: Record<string, unknown>): Promise<TestClient>;
}

export interface TestClient {
  socket: Socket;
  snapshot: HallSnapshot;
  /** emits a command and resolves with its acknowledgement */
  command<T = unknown>(event: string, ...args: unknown[]): Promise<Ack<T>>;
  /** resolves with the next message of this name that passes the filter */
  next<T = unknown>(event: string, filter?: (payload: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'hall-test-'));
}

export function clientFor(url: string, namespace: string, auth: Record<string, unknown> | null): Socket {
  return io(url + namespace, {
    auth: auth ?? {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
}

export async function connectClient(url: string, namespace: string, token: string | null, extraAuth: Record<string, unknown> = {}): Promise<TestClient> {
  const socket = clientFor(url, namespace, token === null ? extraAuth : { token, protocolVersion: PROTOCOL_VERSION, ...extraAuth });
  const snapshot = await new Promise<HallSnapshot>((resolve, reject) => {
    socket.once('hall:snapshot', resolve);
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      reject(err);
    });
  });
  return {
    socket,
    snapshot,
    command<T>(event: string, ...args: unknown[]) {
      return new Promise<Ack<T>>((resolve) => socket.emit(event, ...args, resolve));
    },
    next<T>(event: string, filter: (payload: T) => boolean = () => true, timeoutMs = 5_000) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off(event, handler);
          reject(new Error(`no ${event} within ${timeoutMs} ms`));
        }, timeoutMs);
        const handler = (payload: T) => {
          if (!filter(payload)) return;
          clearTimeout(timer);
          socket.off(event, handler);
          resolve(payload);
        };
        socket.on(event, handler);
      });
    },
    close() {
      socket.close();
    },
  };
}

export async function startTestHall(options: Partial<HallServerOptions> = {}): Promise<TestHall> {
  const dataDir = options.dataDir ?? tempDataDir();
  const server = await startHallServer({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    log: silentLogger(),
    staticRoot: null,
    ...options,
  });
  const clients: TestClient[] = [];
  return {
    ...server,
    dataDir,
    async connect(namespace, token, extraAuth) {
      const client = await connectClient(server.url, namespace, token, extraAuth);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const c of clients) c.close();
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Expects an acknowledgement to be ok and returns its data. */
export function okData<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

let keyCounter = 0;
export function idempotencyKey(): string {
  keyCounter += 1;
  return `test-key-${process.pid}-${Date.now()}-${keyCounter}`;
}

/** The demo hall's manager dashboard, with its hall manager (`manager`) signed in. */
export async function signedInManager(h: TestHall): Promise<TestClient> {
  const manager = await h.connect('/manager', 'demo-manager-1');
  okData(await manager.command<ManagerSignInResult>('staff:sign-in', { login: 'manager', password: 'demo1234' }));
  return manager;
}

/**
 * Hall servers for a test file: each one started here is stopped after its test (unless the test stopped
 * it, e.g. to restart on the same data), and each data directory made here is removed.
 */
export function hallsPerTest(): { start(options?: Partial<HallServerOptions>): Promise<TestHall>; dataDir(): string } {
  const running = new Set<TestHall>();
  const dirs: string[] = [];
  afterEach(async () => {
    for (const h of running) await h.stop();
    running.clear();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    async start(options = {}) {
      const h = await startTestHall(options);
      const stop = h.stop;
      h.stop = async () => {
        running.delete(h);
        await stop();
      };
      running.add(h);
      return h;
    },
    dataDir() {
      const d = tempDataDir();
      dirs.push(d);
      return d;
    },
  };
}
