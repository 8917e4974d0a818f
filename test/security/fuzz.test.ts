// Hostile input: at least 10,000 random and malformed payloads at every namespace and route.
// The server must stay up, answer each with a typed error, and leave the database unchanged.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/errors.ts';
import { COUNTER_COMMANDS, KIOSK_COMMANDS, MANAGER_COMMANDS, type Ack } from '../../shared/protocol.ts';
import { startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';
import { mulberry32 } from '../helpers/random.ts';

const SEED = 20261122;


const NASTY_STRINGS = [
  '',
  ' ',
  "'; DROP TABLE tickets; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '../../etc/passwd',
  '\u0000\u0001\u0002',
  '\ud800',
  '𠮷'.repeat(50),
  '%s%s%s%n',
  '${process.exit(1)}',
  '{{constructor.constructor("return process")()}}',
  '__proto__',
  'constructor',
  'x'.repeat(20_000),
  '11010519491231002X',
  'NaN',
  '-1',
];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];

function safeSegment(value: unknown, max: number): string {
  try {
    return encodeURIComponent(String(value).slice(0, max)) || 'x';
  } catch {
    return 'lone-surrogate'; // encodeURIComponent refuses lone surrogates; fetch could not send them either
  }
}

function randomValue(rnd: () => number, depth = 0): unknown {
  const pick = Math.floor(rnd() * 12);
  switch (pick) {
    case 0:
      return NASTY_STRINGS[Math.floor(rnd() * NASTY_STRINGS.length)];
    case 1:
      return Math.floor(rnd() * 2 ** 53) * (rnd() < 0.5 ? -1 : 1);
    case 2:
      return [Number.NaN, Infinity, -Infinity, 0, -0, 1e308, 3.5][Math.floor(rnd() * 7)];
    case 3:
      return rnd() < 0.5;
    case 4:
      return null;
    case 5:
      return undefined;
    case 6: {
      // deep nesting
      let v: unknown = 'leaf';
      const levels = 5 + Math.floor(rnd() * 200);
      for (let i = 0; i < levels; i++) v = rnd() < 0.5 ? [v] : { a: v };
      return v;
    }
    case 7:
      return depth > 3 ? 'x' : Array.from({ length: Math.floor(rnd() * 5) }, () => randomValue(rnd, depth + 1));
    case 8: {
      const raw = `{"${POLLUTION_KEYS[Math.floor(rnd() * POLLUTION_KEYS.length)]}":{"polluted":true},"serviceId":"id-card"}`;
      return JSON.parse(raw) as unknown;
    }
    default: {
      if (depth > 3) return {};
      const o: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) o[['serviceId', 'ticketId', 'idempotencyKey', 'outcome', 'reason', 'counterId', 'login', 'password', 'idNumber', 'priority', 'x'][Math.floor(rnd() * 11)]!] = randomValue(rnd, depth + 1);
      return o;
    }
  }
}

/** A valid-looking payload with exactly one field broken, or pure garbage. */
function malformed(rnd: () => number, event: string): unknown[] {
  const base: Record<string, Record<string, unknown>> = {
    'ticket:issue': { serviceId: 'id-card', idempotencyKey: 'fuzz-key-0001', idNumber: '11010519491231002X' },
    'counter:call': { ticketId: 'x' },
    'counter:complete': { outcome: 'concluded' },
    'counter:transfer': { serviceId: 'tax' },
    'counter:resume': { ticketId: 'x' },
    'counter:reactivate': { ticketId: 'x' },
    'counter:pause': { reason: 'lunch' },
    'staff:sign-in': { login: 'clerk1', password: 'wrong-password' },
    'kiosk:assist': { reason: 'help' },
    'counter:release': { counterId: 'c1', toCounterId: 'c2' },
    'assist:handle': { requestId: 'x' },
    'service:pause-issuing': { serviceId: 'id-card', reason: 'lunch' },
    'service:resume-issuing': { serviceId: 'id-card' },
    'counter:set-services': { counterId: 'c1', services: [{ serviceId: 'tax', level: 'primary' }] },
    'counter:reset-services': { counterId: 'c1' },
  };
  const r = rnd();
  if (r < 0.35 && base[event]) {
    const payload = { ...base[event] };
    const keys = Object.keys(payload);
    const key = keys[Math.floor(rnd() * keys.length)]!;
    payload[key] = randomValue(rnd);
    if (typeof payload[key] === 'string' && rnd() < 0.5) payload[key] = 12345; // make sure it is broken
    else payload['unexpected'] = true;
    return [payload];
  }
  if (r < 0.5) return [randomValue(rnd), randomValue(rnd)]; // too many arguments
  return [randomValue(rnd)];
}

let hall: TestHall;
let sockets: Record<string, TestClient>;

beforeAll(async () => {
  hall = await startTestHall({ rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } });
  sockets = {
    '/kiosk': await hall.connect('/kiosk', 'demo-kiosk-1'),
    '/counter': await hall.connect('/counter', 'demo-counter-1'),
    '/display': await hall.connect('/display', 'demo-display-1'),
    '/evaluator': await hall.connect('/evaluator', 'demo-evaluator-1'),
    '/manager': await hall.connect('/manager', 'demo-manager-1'),
  };
});
afterAll(async () => {
  await hall.stop();
});

function databaseFingerprint(): string {
  const db = new BetterSqlite3(join(hall.dataDir, 'hall.db'), { readonly: true });
  const f = JSON.stringify([
    db.prepare('SELECT count(*), max(id) FROM events WHERE seq IS NOT NULL').all(),
    db.prepare('SELECT count(*) FROM tickets').all(),
    db.prepare('SELECT id, status, staff_id, current_ticket_id FROM counters ORDER BY id').all(),
    db.prepare('SELECT count(*) AS taken FROM assist_requests WHERE handled_at IS NOT NULL').all(),
    db.prepare('SELECT * FROM service_issuing_pauses').all(),
    db.prepare('SELECT * FROM counter_services_set').all(),
  ]);
  db.close();
  return f;
}

describe('fuzzing', () => {
  it('answers 10,000+ malformed socket payloads with typed errors and changes nothing', async () => {
    const rnd = mulberry32(SEED);
    const before = databaseFingerprint();
    const seqBefore = hall.hall.state.seq;
    const events = [...new Set([...Object.keys(KIOSK_COMMANDS), ...Object.keys(COUNTER_COMMANDS), ...Object.keys(MANAGER_COMMANDS)])];
    events.push('hall:sync', 'no:such-event', '__proto__', 'constructor');
    const codes = new Set<string>(ERROR_CODES);
    const namespaces = Object.keys(sockets);
    let sent = 0;
    const BATCH = 250;
    const dropped: string[] = [];
    for (const [ns, c] of Object.entries(sockets)) c.socket.on('disconnect', (reason: string) => dropped.push(`${ns}: ${reason}`));
    const pending = new Map<number, string>();
    // The counter and the manager are never signed in (their sign-ins use wrong passwords), so nothing
    // valid can commit.
    while (sent < 10_500) {
      const batch: Promise<{ event: string; ack: Ack<unknown> }>[] = [];
      for (let i = 0; i < BATCH; i++, sent++) {
        const client = sockets[namespaces[Math.floor(rnd() * namespaces.length)]!]!;
        const event = events[Math.floor(rnd() * events.length)]!;
        const args = event === 'hall:sync' ? [] : malformed(rnd, event);
        if (event === 'hall:sync' && rnd() < 0.5) args.push(randomValue(rnd));
        const n = sent;
        pending.set(n, `${event} ${JSON.stringify(args)?.slice(0, 120)}`);
        batch.push(
          new Promise((resolve) => {
            client.socket.emit(event, ...args, (ack: Ack<unknown>) => {
              pending.delete(n);
              resolve({ event, ack });
            });
          }),
        );
      }
      const answers = await Promise.race([
        Promise.all(batch),
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`no answer within 20 s (seed ${SEED}); dropped: ${dropped.join(', ')}; unanswered: ${[...pending.values()].slice(0, 5).join(' | ')}`)),
            20_000,
          ),
        ),
      ]);
      for (const { event, ack } of answers) {
        if (ack.ok) {
          // only a snapshot or an assistance request can succeed (neither changes the queue: a request
          // is kept apart from it, and a kiosk asking again asks in its open request; see below)
          expect(['hall:sync', 'kiosk:assist'], `seed ${SEED}`).toContain(event);
        } else {
          expect(codes.has(ack.error.code), `${event}: ${ack.error.code}`).toBe(true);
          expect(typeof ack.error.message).toBe('string');
        }
      }
    }
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(hall.hall.state.seq).toBe(seqBefore);
    expect(databaseFingerprint()).toBe(before);
    // however often the kiosk asked for help, it holds one open request
    const db = new BetterSqlite3(join(hall.dataDir, 'hall.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM assist_requests WHERE handled_at IS NULL').pluck().get()).toBeLessThanOrEqual(1);
    db.close();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = await fetch(`${hall.url}/api/v1/health`);
    expect(health.status).toBe(200);
  });

  it('answers 2,000 malformed HTTP requests with typed JSON errors and changes nothing', async () => {
    const rnd = mulberry32(SEED + 1);
    const before = databaseFingerprint();
    const tokens = ['demo-kiosk-1', 'demo-display-1', 'nope', '', 'x'.repeat(300)];
    for (let i = 0; i < 2_000; i++) {
      const kind = Math.floor(rnd() * 4);
      let res: Response;
      if (kind === 0) {
        const body = malformed(rnd, 'ticket:issue')[0];
        const raw = rnd() < 0.2 ? NASTY_STRINGS[Math.floor(rnd() * NASTY_STRINGS.length)]! : JSON.stringify(body) ?? 'undefined';
        res = await fetch(`${hall.url}/api/v1/tickets`, {
          method: 'POST',
          headers: { 'content-type': rnd() < 0.9 ? 'application/json' : 'text/plain', authorization: `Bearer ${tokens[Math.floor(rnd() * tokens.length)]}` },
          body: raw,
        });
      } else if (kind === 1) {
        res = await fetch(`${hall.url}/api/v1/track/${safeSegment(randomValue(rnd), 500)}`);
      } else if (kind === 2) {
        res = await fetch(`${hall.url}/api/v1/${safeSegment(randomValue(rnd), 200)}`, { method: ['GET', 'POST', 'PUT', 'DELETE'][Math.floor(rnd() * 4)]! });
      } else if (rnd() < 0.5) {
        res = await fetch(`${hall.url}/api/v1/tickets`, { method: 'POST', headers: { authorization: 'Bearer demo-kiosk-1' } });
      } else {
        // the manager's figures, asked with anything but a manager's token
        res = await fetch(`${hall.url}/api/v1/figures/today`, { headers: { authorization: `Bearer ${tokens[Math.floor(rnd() * tokens.length)]}` } });
      }
      expect(res.status, `request ${i} (seed ${SEED + 1})`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      const text = await res.text();
      const body = JSON.parse(text) as { error?: { code?: string } };
      expect(ERROR_CODES, `request ${i}: ${res.status} ${text.slice(0, 200)}`).toContain(body.error?.code);
    }
    expect(databaseFingerprint()).toBe(before);
  });
});
