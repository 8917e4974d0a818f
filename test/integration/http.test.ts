// The REST contract under /api/v1, over real HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP } from '../../server/http.ts';
import type { HealthView, IssueTicketResult, PublicServiceView, TrackView } from '../../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, type TestHall } from '../helpers/hall.ts';

let hall: TestHall;
let api: string;

beforeAll(async () => {
  hall = await startTestHall();
  api = `${hall.url}/api/v1`;
});
afterAll(async () => {
  await hall.stop();
});

function post(path: string, body: unknown, token: string | null, raw?: string) {
  return fetch(api + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ?? JSON.stringify(body),
  });
}

describe('GET /health and /services', () => {
  it('reports health', async () => {
    const res = await fetch(`${api}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as HealthView;
    expect(body).toMatchObject({ status: 'ok', protocolVersion: 1 });
    expect(body.businessDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(body.timings.commitsSinceStart).toBeGreaterThanOrEqual(0);
  });

  it('times the commits it makes', async () => {
    const before = ((await (await fetch(`${api}/health`)).json()) as HealthView).timings.commitsSinceStart;
    const res = await post('/tickets', { serviceId: 'consult', idempotencyKey: idempotencyKey() }, 'demo-kiosk-2');
    expect(res.status).toBe(201);
    const after = ((await (await fetch(`${api}/health`)).json()) as HealthView).timings;
    expect(after.commitsSinceStart).toBe(before + 1);
    expect(after.commits!.samples).toBeGreaterThanOrEqual(1);
    expect(after.commits!.maxMs).toBeGreaterThan(0);
    expect(after.commits!.p50Ms).toBeLessThanOrEqual(after.commits!.p99Ms);
  });

  it('times each socket command from its arrival to its acknowledgement, by name, and not the ones refused at the edge', async () => {
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-2');
    try {
      const before = ((await (await fetch(`${api}/health`)).json()) as HealthView).timings.commands['ticket:issue']?.samples ?? 0;
      okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
      okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
      expect((await kiosk.command('ticket:issue', { serviceId: 42 })).ok).toBe(false); // invalid: answered at the edge
      const commands = ((await (await fetch(`${api}/health`)).json()) as HealthView).timings.commands;
      expect(commands['ticket:issue']!.samples).toBe(before + 2);
      expect(commands['ticket:issue']!.maxMs).toBeGreaterThan(0);
      expect(commands['ticket:issue']!.p50Ms).toBeLessThanOrEqual(commands['ticket:issue']!.p99Ms);
      expect(Object.keys(commands).every((name) => ['ticket:issue', 'kiosk:assist'].includes(name) || name.startsWith('counter:') || name.startsWith('staff:'))).toBe(true);
    } finally {
      kiosk.close();
    }
  });

  it('lists services publicly with waiting counts', async () => {
    const res = await fetch(`${api}/services`);
    const body = (await res.json()) as { services: PublicServiceView[] };
    expect(body.services).toHaveLength(12);
    expect(body.services[0]).toMatchObject({ id: 'id-card', code: 'HJ-001', prefix: 'A', categoryId: 'huji', waiting: 0 });
    expect(body.services[0]!.names).toEqual({ zh: '居民身份证办理', en: 'Resident ID card' });
  });
});

describe('security headers', () => {
  it('every answer forbids sniffing, framing and referrers; pages also get a content security policy', async () => {
    const api1 = await fetch(`${api}/health`);
    expect(api1.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api1.headers.get('x-frame-options')).toBe('DENY');
    expect(api1.headers.get('referrer-policy')).toBe('no-referrer');
    expect(api1.headers.get('content-security-policy')).toBeNull();
    const root = mkdtempSync(join(tmpdir(), 'hall-pages-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>hall</title>');
    const withPages = await startTestHall({ staticRoot: root });
    try {
      const page = await fetch(`${withPages.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(PAGE_CSP);
      expect(PAGE_CSP).toContain("script-src 'self'");
      expect(PAGE_CSP).toContain("frame-ancestors 'none'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    } finally {
      await withPages.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('POST /tickets', () => {
  it('issues with a kiosk token (201) and replays the same ticket for the same key', async () => {
    const key = idempotencyKey();
    const res = await post('/tickets', { serviceId: 'pension', idempotencyKey: key }, 'demo-kiosk-1');
    expect(res.status).toBe(201);
    const first = (await res.json()) as IssueTicketResult;
    expect(first.ticket).toMatchObject({ number: 'E001', serviceId: 'pension', position: 1, peopleAhead: 0 });
    const again = await post('/tickets', { serviceId: 'pension', idempotencyKey: key }, 'demo-kiosk-1');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replay')).toBe('true');
    expect(((await again.json()) as IssueTicketResult).ticket.id).toBe(first.ticket.id);
    const services = (await (await fetch(`${api}/services`)).json()) as { services: PublicServiceView[] };
    expect(services.services.find((s) => s.id === 'pension')?.waiting).toBe(1);
  });

  it('and the socket and HTTP paths share one idempotency space', async () => {
    const key = idempotencyKey();
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const viaSocket = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'tax', idempotencyKey: key }));
    const viaHttp = (await (await post('/tickets', { serviceId: 'tax', idempotencyKey: key }, 'demo-kiosk-1')).json()) as IssueTicketResult;
    expect(viaHttp.ticket.id).toBe(viaSocket.ticket.id);
  });

  it('refuses without a token (401), with a non-kiosk token (403)', async () => {
    const body = { serviceId: 'pension', idempotencyKey: idempotencyKey() };
    const none = await post('/tickets', body, null);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    expect((await post('/tickets', body, 'wrong')).status).toBe(401);
    const display = await post('/tickets', body, 'demo-display-1');
    expect(display.status).toBe(403);
    expect(((await display.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });

  it('refuses malformed bodies with a typed 400 and issues nothing', async () => {
    const seq = hall.hall.state.seq;
    for (const raw of ['{', 'null', '[]', '"x"', JSON.stringify({ serviceId: 'pension' }), JSON.stringify({ serviceId: 'pension', idempotencyKey: 'abcdefghij', x: 1 })]) {
      const res = await post('/tickets', null, 'demo-kiosk-1', raw);
      expect(res.status, raw).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
    expect(hall.hall.state.seq).toBe(seq);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await post('/tickets', { serviceId: 'x'.repeat(100_000), idempotencyKey: idempotencyKey() }, 'demo-kiosk-1');
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('gives each issuing refusal its own code', async () => {
    const cases: [object, number, string][] = [
      [{ serviceId: 'nope' }, 404, 'SERVICE_NOT_FOUND'],
      [{ serviceId: 'hukou' }, 409, 'ID_REQUIRED'],
      [{ serviceId: 'hukou', idNumber: '11010519491231002' }, 400, 'ID_FORMAT'],
      [{ serviceId: 'hukou', idNumber: '110105194912310020' }, 400, 'ID_CHECKSUM'],
      [{ serviceId: 'hukou', idNumber: '110105194902300021' }, 400, 'ID_BIRTH_DATE'],
      [{ serviceId: 'id-card', idNumber: '110105199912310022', priority: 'elderly' }, 409, 'PRIORITY_NOT_ELIGIBLE'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post('/tickets', { ...body, idempotencyKey: idempotencyKey() }, 'demo-kiosk-1');
      const answer = (await res.json()) as { error: { code: string; message: string } };
      expect(answer.error.code, JSON.stringify(body)).toBe(code);
      expect(res.status).toBe(status);
      expect(answer.error.message.length).toBeGreaterThan(3);
    }
  });

  it('limits tickets per ID per service per day (防黄牛)', async () => {
    const id = '11010519491231002X';
    const first = await post('/tickets', { serviceId: 'housing-fund', idNumber: id, idempotencyKey: idempotencyKey() }, 'demo-kiosk-1');
    expect(first.status).toBe(201);
    const second = await post('/tickets', { serviceId: 'housing-fund', idNumber: id, idempotencyKey: idempotencyKey() }, 'demo-kiosk-1');
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('ID_DAILY_LIMIT');
  });
});

describe('GET /track/:trackingToken', () => {
  it('follows a ticket from waiting to called', async () => {
    const issued = (await (await post('/tickets', { serviceId: 'pickup', idempotencyKey: idempotencyKey() }, 'demo-kiosk-2')).json()) as IssueTicketResult;
    const before = (await (await fetch(`${api}/track/${issued.ticket.trackingToken}`)).json()) as TrackView;
    expect(before).toMatchObject({ number: 'M001', status: 'waiting', position: 1, peopleAhead: 0, counter: null, timeZone: 'Asia/Shanghai' });
    const counter = await hall.connect('/counter', 'demo-counter-6');
    okData(await counter.command('staff:sign-in', { login: 'clerk6', password: 'demo1234' }));
    okData(await counter.command('counter:call-next'));
    const after = (await (await fetch(`${api}/track/${issued.ticket.trackingToken}`)).json()) as TrackView;
    expect(after).toMatchObject({ number: 'M001', status: 'called', position: null, counter: { number: 6, name: '领证出件窗口' } });
  });

  it('404s an unknown token and never shows an ID number', async () => {
    const res = await fetch(`${api}/track/unknown-token-123`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TICKET_NOT_FOUND');
  });

  it('unknown API routes answer a typed 404', async () => {
    const res = await fetch(`${api}/nothing-here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
