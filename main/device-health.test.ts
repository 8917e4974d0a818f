import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_HEALTH_PATH, DeviceHealthReport } from '../shared/electron-api.ts';
import { PROTOCOL_VERSION } from '../shared/protocol.ts';
import { healthReport, sendHealthReport } from './device-health.ts';

interface Received {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

let server: Server;
let url: string;
const received: Received[] = [];
let answerStatus = 204;

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((text) => {
      received.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(answerStatus).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('device health report', () => {
  it('POSTs a valid report to /api/v1/devices/health with the Bearer device token', async () => {
    const report = healthReport('kiosk', '0.1.0', 1_741_050_000_000, { code: 'PRINT_FAILED', message: 'A001 打印失败：缺纸', ticketNumber: 'A001', printer: 'POS-80C' });
    expect(report).toEqual({
      protocolVersion: PROTOCOL_VERSION,
      role: 'kiosk',
      appVersion: '0.1.0',
      status: 'degraded',
      at: 1_741_050_000_000,
      problem: { code: 'PRINT_FAILED', message: 'A001 打印失败：缺纸', ticketNumber: 'A001', printer: 'POS-80C' },
    });
    expect(await sendHealthReport(url, 'demo-kiosk-1', report)).toEqual({ delivered: true });
    const got = received.at(-1);
    expect(got).toMatchObject({ method: 'POST', url: DEVICE_HEALTH_PATH, authorization: 'Bearer demo-kiosk-1' });
    expect(DeviceHealthReport.parse(got?.body)).toEqual(report);
  });

  it('a recovery is status ok with no problem', () => {
    expect(healthReport('display', '0.1.0', 1, null)).toMatchObject({ status: 'ok', problem: null });
    expect(healthReport('display', '0.1.0', 1, { code: 'CRASH_LOOP', message: 'x' }, 'fault').status).toBe('fault');
  });

  it('a server without the route, or no server at all, is "not delivered", never an exception', async () => {
    answerStatus = 404;
    const report = healthReport('kiosk', '0.1.0', 1, null);
    expect(await sendHealthReport(url, 'demo-kiosk-1', report)).toEqual({ delivered: false, status: 404 });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await sendHealthReport(deadUrl, 'demo-kiosk-1', report)).toEqual({ delivered: false, status: null });
  });
});
