// Electron shells report their health (e.g. a failed print); managers see it at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceHealthReport } from '../../shared/electron-api.ts';
import { PROTOCOL_VERSION, type DeviceHealthView } from '../../shared/protocol.ts';
import { clientFor, startTestHall, type TestHall } from '../helpers/hall.ts';

let hall: TestHall;
beforeAll(async () => {
  hall = await startTestHall();
});
afterAll(async () => {
  await hall.stop();
});

const report: DeviceHealthReport = {
  protocolVersion: 1,
  role: 'kiosk',
  appVersion: '0.1.0',
  status: 'degraded',
  at: Date.now(),
  problem: { code: 'PRINT_FAILED', message: '打印机缺纸', ticketNumber: 'A012', printer: 'EPSON TM-T82' },
};

const send = (token: string | null, body: unknown) =>
  fetch(`${hall.url}/api/v1/devices/health`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('POST /api/v1/devices/health', () => {
  it('accepts a valid report from a paired device and tells the managers', async () => {
    const manager = await hall.connect('/manager', 'demo-manager-1');
    const seen = manager.next<DeviceHealthView>('device:health');
    const res = await send('demo-kiosk-1', report);
    expect(res.status).toBe(204);
    const view = await seen;
    expect(view).toMatchObject({ deviceName: '大厅取号机 1', kind: 'kiosk', report: { status: 'degraded', problem: { code: 'PRINT_FAILED', ticketNumber: 'A012' } } });
    expect(hall.hall.deviceHealth.get(view.deviceId)?.report.status).toBe('degraded');
  });

  it('gives a dashboard that connects later the latest report of every device', async () => {
    expect((await send('demo-kiosk-2', { ...report, status: 'fault', problem: { code: 'CRASH_LOOP', message: '页面反复崩溃' } })).status).toBe(204);
    expect((await send('demo-kiosk-2', { ...report, status: 'ok', problem: null })).status).toBe(204); // recovered: the latest counts
    const socket = clientFor(hall.url, '/manager', { token: 'demo-manager-1', protocolVersion: PROTOCOL_VERSION });
    const views: DeviceHealthView[] = [];
    socket.on('device:health', (view: DeviceHealthView) => views.push(view));
    try {
      await expect.poll(() => views.map((v) => `${v.deviceName} ${v.report.status}`).sort()).toEqual(['大厅取号机 1 degraded', '大厅取号机 2 ok']);
    } finally {
      socket.close();
    }
  });

  it('refuses unknown tokens and malformed reports', async () => {
    expect((await send(null, report)).status).toBe(401);
    expect((await send('wrong', report)).status).toBe(401);
    const bad = await send('demo-kiosk-1', { ...report, status: 'on fire' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
  });
});
