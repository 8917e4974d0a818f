// The authorization matrix: every namespace, every command and every HTTP route, against every kind
// of credential. Each cell says exactly what that credential gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTER_COMMANDS, KIOSK_COMMANDS, MANAGER_COMMANDS, NAMESPACES, type DeviceKind } from '../../shared/protocol.ts';
import { clientFor, idempotencyKey, okData, startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';

type Credential = 'none' | 'wrong' | 'revoked' | DeviceKind;
const CREDENTIALS: Credential[] = ['none', 'wrong', 'revoked', 'kiosk', 'counter', 'display', 'evaluator', 'manager'];

let hall: TestHall;
const tokens: Record<Credential, string | null> = {
  none: null,
  wrong: 'not-a-real-token',
  revoked: '',
  kiosk: 'demo-kiosk-1',
  counter: 'demo-counter-1',
  display: 'demo-display-1',
  evaluator: 'demo-evaluator-1',
  manager: 'demo-manager-1',
};

beforeAll(async () => {
  hall = await startTestHall();
  const { device, token } = hall.store.addDevice({ kind: 'kiosk', name: 'revoked kiosk' }, Date.now());
  hall.store.revokeDevice(device.id, Date.now());
  tokens.revoked = token;
});
afterAll(async () => {
  await hall.stop();
});

function connectOutcome(namespace: string, token: string | null): Promise<string> {
  const socket = clientFor(hall.url, namespace, token === null ? null : { token });
  return new Promise((resolve) => {
    socket.once('hall:snapshot', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err: Error & { data?: { code: string } }) => {
      socket.close();
      resolve(err.data?.code ?? 'error');
    });
  });
}

describe('who may connect where', () => {
  for (const [kind, namespace] of Object.entries(NAMESPACES) as [DeviceKind, string][]) {
    it(namespace, async () => {
      const row: Record<string, string> = {};
      for (const c of CREDENTIALS) row[c] = await connectOutcome(namespace, tokens[c]);
      const expected: Record<string, string> = {};
      for (const c of CREDENTIALS) expected[c] = c === kind ? 'connected' : c === 'none' || c === 'wrong' || c === 'revoked' ? 'UNAUTHORIZED' : 'FORBIDDEN';
      expect(row).toEqual(expected);
    });
  }
});

describe('the main namespace', () => {
  it('serves no device: every credential is refused with FORBIDDEN', async () => {
    const row: Record<string, string> = {};
    for (const c of CREDENTIALS) row[c] = await connectOutcome('/', tokens[c]);
    expect(row).toEqual(Object.fromEntries(CREDENTIALS.map((c) => [c, 'FORBIDDEN'])));
  });
});

/** For each command that takes one, a payload its own namespace accepts: only authorization decides the answer. */
const VALID_PAYLOADS: Record<string, () => Record<string, unknown>> = {
  'ticket:issue': () => ({ serviceId: 'consult', idempotencyKey: idempotencyKey() }),
  'staff:sign-in': () => ({ login: 'nobody', password: 'wrong-password' }),
  'counter:complete': () => ({ outcome: 'concluded' }),
  'counter:transfer': () => ({ serviceId: 'tax' }),
  'counter:pause': () => ({ reason: 'lunch' }),
  'counter:call': () => ({ ticketId: 'none' }),
  'counter:resume': () => ({ ticketId: 'none' }),
  'counter:reactivate': () => ({ ticketId: 'none' }),
  'counter:release': () => ({ counterId: 'c1' }),
  'assist:handle': () => ({ requestId: 'none' }),
  'service:pause-issuing': () => ({ serviceId: 'consult', reason: 'test' }),
  'service:resume-issuing': () => ({ serviceId: 'consult' }),
  'counter:set-services': () => ({ counterId: 'c1', services: [{ serviceId: 'tax', level: 'primary' }] }),
  'counter:reset-services': () => ({ counterId: 'c1' }),
};

describe('which commands each connected kind may use', () => {
  const ALL_COMMANDS = [...new Set([...Object.keys(KIOSK_COMMANDS), ...Object.keys(COUNTER_COMMANDS), ...Object.keys(MANAGER_COMMANDS)])];
  const OWN_COMMANDS: Partial<Record<DeviceKind, Record<string, unknown>>> = { kiosk: KIOSK_COMMANDS, counter: COUNTER_COMMANDS, manager: MANAGER_COMMANDS };
  const clients: Partial<Record<DeviceKind, TestClient>> = {};

  beforeAll(async () => {
    for (const [kind, namespace] of Object.entries(NAMESPACES) as [DeviceKind, string][]) {
      clients[kind] = await hall.connect(namespace, kind === 'counter' ? 'demo-counter-2' : tokens[kind]);
    }
  });

  for (const kind of Object.keys(NAMESPACES) as DeviceKind[]) {
    it(`on ${NAMESPACES[kind]}`, async () => {
      const client = clients[kind]!;
      for (const command of ALL_COMMANDS) {
        const owned = command in (OWN_COMMANDS[kind] ?? {});
        // a payload the owning namespace would accept, so only authorization decides
        const payload = VALID_PAYLOADS[command]?.() ?? {};
        const ack = await client.command(command, payload);
        if (!owned) {
          expect(ack, `${command} on ${NAMESPACES[kind]}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        } else if ((kind === 'counter' || kind === 'manager') && command !== 'staff:sign-in') {
          expect(ack, `${command} before sign-in`).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
        } else if (command === 'staff:sign-in') {
          expect(ack).toMatchObject({ ok: false, error: { code: 'SIGN_IN_FAILED' } });
        } else {
          expect(ack.ok, `${command} on its own namespace`).toBe(true);
        }
      }
      expect((await client.command('hall:sync')).ok).toBe(true);
    });
  }

  it('on /counter with a clerk signed in, no command is refused for authorization', async () => {
    const counter = clients.counter!;
    okData(await counter.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    for (const command of Object.keys(COUNTER_COMMANDS)) {
      if (command === 'staff:sign-in' || command === 'staff:sign-out') continue;
      const ack = await counter.command(command, VALID_PAYLOADS[command]?.() ?? {});
      if (!ack.ok) expect(['FORBIDDEN', 'NOT_SIGNED_IN', 'UNAUTHORIZED', 'VALIDATION_FAILED'], command).not.toContain(ack.error.code);
    }
  });
});

describe('on /manager, by account', () => {
  it("a clerk's account cannot sign in there; a manager's can, and may then release a counter", async () => {
    const manager = await hall.connect('/manager', tokens.manager);
    expect(await manager.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' })).toMatchObject({ ok: false, error: { code: 'NOT_A_MANAGER' } });
    expect(await manager.command('counter:release', { counterId: 'c3' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    okData(await manager.command('staff:sign-in', { login: 'manager', password: 'demo1234' }));
    // nobody is signed in at c3: refused by the hall's state, no longer by authorization
    expect(await manager.command('counter:release', { counterId: 'c3' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    const counter = await hall.connect('/counter', 'demo-counter-3');
    okData(await counter.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
    expect(okData(await manager.command<{ counterId: string }>('counter:release', { counterId: 'c3' })).counterId).toBe('c3');
    // a manager's account at a counter terminal is still a clerk sign-in there: the terminal decides what it may do
    okData(await counter.command('staff:sign-in', { login: 'manager', password: 'demo1234' }));
    expect(await counter.command('counter:release', { counterId: 'c3' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await counter.command('assist:handle', { requestId: 'none' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('a request for help is taken only by a manager signed in on /manager', async () => {
    const kiosk = await hall.connect('/kiosk', tokens.kiosk);
    const { requestId } = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', { reason: 'help' }));
    const manager = await hall.connect('/manager', tokens.manager);
    expect(await manager.command('assist:handle', { requestId })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await manager.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' })).toMatchObject({ ok: false, error: { code: 'NOT_A_MANAGER' } });
    expect(await manager.command('assist:handle', { requestId })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    for (const kind of ['kiosk', 'display', 'evaluator'] as const) {
      const other = kind === 'kiosk' ? kiosk : await hall.connect(NAMESPACES[kind], tokens[kind]);
      expect(await other.command('assist:handle', { requestId }), kind).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    okData(await manager.command('staff:sign-in', { login: 'manager', password: 'demo1234' }));
    expect(okData(await manager.command<{ id: string }>('assist:handle', { requestId })).id).toBe(requestId);
  });
});

describe('HTTP routes', () => {
  const expectations: Record<Credential, number> = {
    none: 401,
    wrong: 401,
    revoked: 401,
    kiosk: 201,
    counter: 403,
    display: 403,
    evaluator: 403,
    manager: 403,
  };

  it('POST /api/v1/tickets: only a kiosk', async () => {
    const row: Record<string, number> = {};
    for (const c of CREDENTIALS) {
      const token = tokens[c];
      const res = await fetch(`${hall.url}/api/v1/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ serviceId: 'consult', idempotencyKey: idempotencyKey() }),
      });
      row[c] = res.status;
    }
    expect(row).toEqual(expectations);
  });

  it('POST /api/v1/devices/health: any paired device, reporting as its own kind', async () => {
    const row: Record<string, number> = {};
    const roleOf = (c: Credential) => (c === 'none' || c === 'wrong' || c === 'revoked' ? 'kiosk' : c);
    const post = (token: string | null, role: string) =>
      fetch(`${hall.url}/api/v1/devices/health`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ protocolVersion: 1, role, appVersion: '0.1.0', status: 'ok', at: Date.now(), problem: null }),
      });
    for (const c of CREDENTIALS) row[c] = (await post(tokens[c], roleOf(c))).status;
    expect(row).toEqual({ none: 401, wrong: 401, revoked: 401, kiosk: 204, counter: 204, display: 204, evaluator: 204, manager: 204 });
    // a device cannot speak for another kind; a counter display may hold a display's or its counter's token
    expect((await post(tokens.display, 'kiosk')).status).toBe(403);
    expect((await post(tokens.kiosk, 'manager')).status).toBe(403);
    expect((await post(tokens.display, 'counter-display')).status).toBe(204);
    expect((await post(tokens.counter, 'counter-display')).status).toBe(204);
    expect((await post(tokens.display, 'all-in-one')).status).toBe(204);
  });

  it("GET /api/v1/figures/today: only a manager's device (it counts every ticket of the day)", async () => {
    const row: Record<string, number> = {};
    for (const c of CREDENTIALS) {
      const token = tokens[c];
      row[c] = (await fetch(`${hall.url}/api/v1/figures/today`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
    }
    expect(row).toEqual({ none: 401, wrong: 401, revoked: 401, kiosk: 403, counter: 403, display: 403, evaluator: 403, manager: 200 });
  });

  it('GET /health, /services and /track are public and the same for every credential', async () => {
    for (const c of CREDENTIALS) {
      const headers: Record<string, string> = tokens[c] ? { authorization: `Bearer ${tokens[c]}` } : {};
      expect((await fetch(`${hall.url}/api/v1/health`, { headers })).status).toBe(200);
      expect((await fetch(`${hall.url}/api/v1/services`, { headers })).status).toBe(200);
      expect((await fetch(`${hall.url}/api/v1/track/unknown-ticket`, { headers })).status).toBe(404);
    }
  });
});
