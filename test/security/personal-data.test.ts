// PIPL: a known ID number and phone number, sent through every way in, must appear nowhere in clear:
// not in the database files, not in the backups, not in the logs, not in any page the server serves.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSecret, SECRET_FILE, startHallServer } from '../../server/hall-server.ts';
import { silentLogger } from '../../server/log.ts';
import type { IssueTicketResult } from '../../shared/protocol.ts';
import { connectClient, idempotencyKey, okData, tempDataDir } from '../helpers/hall.ts';
import { runCli, startHallProcess, type HallProcess } from '../helpers/process.ts';

const ID_NUMBER = '11010519491231002X'; // valid checksum, born 1949: earns elderly priority
const PHONE = '13912345678';
let dataDir: string;
let server: HallProcess;
let logs = '';

beforeAll(async () => {
  dataDir = tempDataDir();
  server = await startHallProcess(dataDir, { HALL_LOG_LEVEL: 'debug' });
  server.child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
});
afterAll(async () => {
  if (server.child.exitCode === null) server.child.kill('SIGTERM');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('personal information', () => {
  it('is never kept, logged or served in clear', async () => {
    const kiosk = await connectClient(server.url, '/kiosk', 'demo-kiosk-1');
    const viaSocket = okData(
      await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber: ID_NUMBER, priority: 'elderly' }),
    );
    expect(viaSocket.ticket.priority).toBe('elderly');
    // refused requests carrying the same data must not leak it into logs either
    await kiosk.command('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber: ID_NUMBER, phone: PHONE });
    await kiosk.command('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber: PHONE });
    await kiosk.command('ticket:issue', { serviceId: ID_NUMBER, idempotencyKey: idempotencyKey() });
    await kiosk.command('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber: ID_NUMBER.toLowerCase() });
    const http = await fetch(`${server.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-1' },
      body: JSON.stringify({ serviceId: 'housing-fund', idempotencyKey: idempotencyKey(), idNumber: ID_NUMBER }),
    });
    expect(http.status).toBe(201);
    await fetch(`${server.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-1' },
      body: JSON.stringify({ serviceId: 'housing-fund', idempotencyKey: idempotencyKey(), idNumber: ID_NUMBER, phone: PHONE }),
    });
    const counter = await connectClient(server.url, '/counter', 'demo-counter-1');
    okData(await counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const called = okData(await counter.command<{ ticket: { idMasked: string | null; number: string } }>('counter:call-next'));
    expect(called.ticket.idMasked).toBe('110***********002X'); // the clerk sees only the masked form
    // free text from a clerk goes into the audit trail and onto every screen: numbers like these are refused
    for (const reason of [PHONE, '１３９１２３４５６７８', '139，1234，5678', `请联系 ${PHONE.slice(0, 3)} ${PHONE.slice(3, 7)} ${PHONE.slice(7)}`, `证件 ${ID_NUMBER}`]) {
      expect(await counter.command('counter:pause', { reason })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    okData(await counter.command('counter:start'));
    okData(await counter.command('counter:complete', { outcome: 'concluded' })); // so the pause is refused for its text, not for a busy counter
    okData(await counter.command('counter:pause', { reason: '午休' }));
    const track = await (await fetch(`${server.url}/api/v1/track/${viaSocket.ticket.trackingToken}`)).text();
    const display = await connectClient(server.url, '/display', 'demo-display-1');

    const served = [track, JSON.stringify(display.snapshot), JSON.stringify(kiosk.snapshot)];
    for (const page of ['/kiosk/', '/counter/', '/display/', '/counter-display/', '/track/', '/']) {
      const res = await fetch(server.url + page);
      served.push(await res.text());
    }
    kiosk.close();
    counter.close();
    display.close();

    expect(runCli(['backup', join(dataDir, 'manual-backup.db'), '--data-dir', dataDir]).status).toBe(0);
    server.child.kill('SIGTERM');
    await server.exited;

    const files = filesUnder(dataDir).filter((f) => !f.endsWith('hall-secret.key'));
    expect(files.some((f) => f.endsWith('hall.db'))).toBe(true);
    expect(files.some((f) => f.includes('backups'))).toBe(true);
    for (const needle of [ID_NUMBER, ID_NUMBER.toLowerCase(), PHONE]) {
      for (const f of files) expect(readFileSync(f).includes(Buffer.from(needle)), `${needle} in ${f}`).toBe(false);
      expect(logs.includes(needle), `${needle} in the logs`).toBe(false);
      for (const text of served) expect(text.includes(needle), `${needle} in a served page or message`).toBe(false);
    }
    expect(logs.length).toBeGreaterThan(0);
  });
});

describe('the ID-hash key', () => {
  it('is created once, 256 bits, readable by the owner only; a file too short to be a key stops the server', async () => {
    const dataDir = tempDataDir();
    try {
      const secret = loadOrCreateSecret(dataDir);
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(join(dataDir, SECRET_FILE)).mode & 0o777).toBe(0o600);
      expect(loadOrCreateSecret(dataDir)).toBe(secret);
      writeFileSync(join(dataDir, SECRET_FILE), '\n');
      expect(() => loadOrCreateSecret(dataDir)).toThrow(/holds no usable key/);
      await expect(startHallServer({ dataDir, port: 0, host: '127.0.0.1', log: silentLogger(), staticRoot: null })).rejects.toThrow(/holds no usable key/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
