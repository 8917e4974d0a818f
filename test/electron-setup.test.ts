// The shell's first-run setup against a real hall server: address and token checked the way the pages will use them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetupInput, type ShellErrorCode, type ShellResult, type SetupCheck } from '../shared/electron-api.ts';
import { PROTOCOL_VERSION } from '../shared/protocol.ts';
import { pageUrl, screenOf } from '../main/roles.ts';
import { configFromSetup, verifySetup } from '../main/setup.ts';
import { CONFIG_FILE, needsSetup, readConfigFile, resolveShellConfig, writeConfigFile } from '../main/shell-config.ts';
import { TOKEN_FILE, TokenStore, type SafeStoragePort } from '../main/token-store.ts';
import { startHallServer, type RunningHallServer } from '../server/hall-server.ts';
import { DEFAULT_MAX_CONNECTIONS_PER_DEVICE } from '../server/limits.ts';
import { silentLogger } from '../server/log.ts';

let dataDir: string;
let userData: string;
let hall: RunningHallServer;
let other: Server;
let otherUrl: string;
let deadUrl: string;

const safeStorage: SafeStoragePort = {
  isEncryptionAvailable: () => true,
  encryptString: (text) => Buffer.from(Buffer.from(text, 'utf8').map((b) => b ^ 0x5a)),
  decryptString: (data) => Buffer.from(data.map((b) => b ^ 0x5a)).toString('utf8'),
};

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hall-setup-server-'));
  userData = mkdtempSync(join(tmpdir(), 'hall-setup-shell-'));
  hall = await startHallServer({ dataDir, port: 0, host: '127.0.0.1', log: silentLogger(), staticRoot: null });
  // Something else on the LAN that answers HTTP: the commonest typo is a wrong port.
  other = createServer((req, res) => {
    if (req.url === '/api/v1/health') res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>router admin</h1>');
    else res.writeHead(200).end('ok');
  });
  otherUrl = await listen(other);
  const dead = createServer();
  deadUrl = await listen(dead);
  await new Promise<void>((resolve) => dead.close(() => resolve()));
});

afterAll(async () => {
  await hall.close();
  await new Promise<void>((resolve) => other.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(userData, { recursive: true, force: true });
});

/** The code a fresh kiosk connection with this token is refused with (null when it connects). */
function probeDeviceRefusal(token: string): Promise<string | null> {
  const socket = io(`${hall.url}/kiosk`, { auth: { token, protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise<string | null>((resolve) => {
    socket.once('hall:snapshot', () => resolve(null));
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => resolve(err.data?.code ?? 'error'));
  }).finally(() => socket.close());
}

const input = (fields: Partial<SetupInput> & Pick<SetupInput, 'role' | 'token'>): SetupInput => SetupInput.parse({ serverUrl: hall.url, ...fields });
const errorCode = (answer: ShellResult<SetupCheck>): ShellErrorCode | null => (answer.ok ? null : answer.error.code);

describe('setup against a real hall server', () => {
  it('accepts the demo kiosk token for a kiosk', async () => {
    const answer = await verifySetup(input({ role: 'kiosk', token: 'demo-kiosk-1' }));
    expect(answer).toEqual({ ok: true, data: { serverUrl: hall.url, deviceKind: 'kiosk', protocolVersion: PROTOCOL_VERSION, businessDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) } });
  });

  it('accepts a token whose connections are all taken for now: the screen rides that out by trying again', async () => {
    const { token } = hall.store.addDevice({ kind: 'kiosk', name: '满连接自助机' }, Date.now());
    const sockets = Array.from({ length: DEFAULT_MAX_CONNECTIONS_PER_DEVICE }, () =>
      io(`${hall.url}/kiosk`, { auth: { token, protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], reconnection: false, forceNew: true }),
    );
    try {
      await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('hall:snapshot', resolve))));
      const refused = await probeDeviceRefusal(token);
      expect(refused).toBe('RATE_LIMITED');
      expect(errorCode(await verifySetup(input({ role: 'kiosk', token })))).toBeNull();
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('refuses an unknown token and says so in words', async () => {
    const answer = await verifySetup(input({ role: 'kiosk', token: 'nope' }));
    expect(answer).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: '配对令牌无效或已被吊销' } });
  });

  it("refuses another kind's token: a display token does not make a kiosk", async () => {
    expect(errorCode(await verifySetup(input({ role: 'kiosk', token: 'demo-display-1' })))).toBe('FORBIDDEN');
    expect(errorCode(await verifySetup(input({ role: 'counter', token: 'demo-kiosk-1' })))).toBe('FORBIDDEN');
  });

  it('pairs each screen with its own kind of token', async () => {
    const cases: [SetupInput, string][] = [
      [input({ role: 'display', token: 'demo-display-1' }), 'display'],
      [input({ role: 'counter', token: 'demo-counter-3' }), 'counter'],
      [input({ role: 'evaluator', token: 'demo-evaluator-3' }), 'evaluator'],
      [input({ role: 'manager', token: 'demo-manager-1' }), 'manager'],
      [input({ role: 'counter-display', token: 'demo-display-1', counterNumber: 3 }), 'display'],
      [input({ role: 'counter-display', token: 'demo-counter-3', counterNumber: 3 }), 'counter'],
      [input({ role: 'all-in-one', screen: 'display', token: 'demo-display-1' }), 'display'],
    ];
    for (const [setup, kind] of cases) {
      const answer = await verifySetup(setup);
      expect(answer.ok && answer.data.deviceKind, `${setup.role} ${setup.token}`).toBe(kind);
    }
  });

  it('refuses a revoked token', async () => {
    const device = hall.store.deviceByToken('demo-kiosk-2');
    expect(device).not.toBeNull();
    hall.store.revokeDevice(device!.id, Date.now());
    expect(errorCode(await verifySetup(input({ role: 'kiosk', token: 'demo-kiosk-2' })))).toBe('UNAUTHORIZED');
  });

  it('takes the address as typed: no scheme, a trailing page path', async () => {
    const typed = hall.url.replace('http://', '') + '/kiosk/';
    const answer = await verifySetup(input({ role: 'kiosk', token: 'demo-kiosk-1', serverUrl: typed }));
    expect(answer.ok && answer.data.serverUrl).toBe(hall.url);
  });

  it('tells a bad address, a dead address and something that is not a hall server apart', async () => {
    expect(errorCode(await verifySetup(input({ role: 'kiosk', token: 'demo-kiosk-1', serverUrl: 'ftp://hall-server' })))).toBe('INVALID_SERVER_URL');
    expect(errorCode(await verifySetup(input({ role: 'kiosk', token: 'demo-kiosk-1', serverUrl: deadUrl })))).toBe('SERVER_UNREACHABLE');
    expect(errorCode(await verifySetup(input({ role: 'kiosk', token: 'demo-kiosk-1', serverUrl: otherUrl })))).toBe('NOT_A_HALL_SERVER');
  });

  it('refuses a hall server of another protocol version in words', async () => {
    const newer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', protocolVersion: PROTOCOL_VERSION + 1, seq: 0, businessDate: '2025-03-04', uptimeSeconds: 1 })));
    const url = await listen(newer);
    try {
      const answer = await verifySetup(input({ role: 'kiosk', token: 'demo-kiosk-1', serverUrl: url }));
      expect(answer).toEqual({ ok: false, error: { code: 'PROTOCOL_MISMATCH', message: expect.stringContaining('不兼容') } });
    } finally {
      await new Promise<void>((resolve) => newer.close(() => resolve()));
    }
  });

  it('a saved setup leaves a configured machine: config file without the token, token encrypted, the screen\'s page', async () => {
    const setup = input({ role: 'kiosk', token: 'demo-kiosk-1', printerName: 'POS-80C' });
    const answer = await verifySetup(setup);
    if (!answer.ok) throw new Error(answer.error.message);
    const tokens = new TokenStore(join(userData, TOKEN_FILE), safeStorage);
    tokens.write(setup.token);
    const configPath = join(userData, CONFIG_FILE);
    writeConfigFile(configPath, configFromSetup(setup, answer.data, readConfigFile(configPath)));

    expect(readConfigFile(configPath)).toEqual({ role: 'kiosk', serverUrl: hall.url, printer: { name: 'POS-80C', pageSize: 'ticket-80mm' } });
    const config = resolveShellConfig([], userData);
    expect(needsSetup(config, tokens.read() !== null)).toBe(false);
    expect(tokens.read()).toBe('demo-kiosk-1');
    expect(pageUrl(config.serverUrl!, screenOf(config.role!, config.screen), config.counterNumber)).toBe(`${hall.url}/kiosk/`);
  });
});
