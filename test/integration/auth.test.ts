// Who may connect where, and what each kind of device may do; malformed payloads change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACES, PROTOCOL_VERSION, type Ack, type DeviceKind } from '../../shared/protocol.ts';
import { clientFor, idempotencyKey, okData, startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';

let hall: TestHall;

beforeAll(async () => {
  hall = await startTestHall();
});
afterAll(async () => {
  await hall.stop();
});

function refusal(namespace: string, auth: Record<string, unknown> | null): Promise<{ message: string; data?: { code: string; message: string } }> {
  const socket = clientFor(hall.url, namespace, auth);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.close();
      reject(new Error(`connected to ${namespace} unexpectedly`));
    });
    socket.once('connect_error', (err: Error & { data?: { code: string; message: string } }) => {
      socket.close();
      resolve(err);
    });
  });
}

const TOKENS: Record<DeviceKind, string> = {
  kiosk: 'demo-kiosk-1',
  counter: 'demo-counter-2',
  display: 'demo-display-1',
  evaluator: 'demo-evaluator-2',
  manager: 'demo-manager-1',
};

describe('connection auth', () => {
  for (const [kind, namespace] of Object.entries(NAMESPACES) as [DeviceKind, string][]) {
    it(`${namespace} refuses a missing token`, async () => {
      const err = await refusal(namespace, null);
      expect(err.data?.code).toBe('UNAUTHORIZED');
      expect(err.data?.message).toBeTruthy();
    });
    it(`${namespace} refuses a wrong token`, async () => {
      expect((await refusal(namespace, { token: 'not-a-token' })).data?.code).toBe('UNAUTHORIZED');
    });
    it(`${namespace} accepts its own kind and refuses every other kind`, async () => {
      const own = await hall.connect(namespace, TOKENS[kind]);
      expect(own.snapshot.protocolVersion).toBe(PROTOCOL_VERSION);
      own.close();
      for (const other of Object.keys(TOKENS) as DeviceKind[]) {
        if (other === kind) continue;
        expect((await refusal(namespace, { token: TOKENS[other] })).data?.code, `${other} on ${namespace}`).toBe('FORBIDDEN');
      }
    });
  }

  it('refuses an incompatible protocol version in words', async () => {
    const err = await refusal('/display', { token: 'demo-display-1', protocolVersion: PROTOCOL_VERSION + 1 });
    expect(err.data?.code).toBe('PROTOCOL_MISMATCH');
    expect(err.data?.message).toMatch(/更新/);
  });

  it('refuses a revoked device', async () => {
    const { device, token } = hall.store.addDevice({ kind: 'display', name: 'to revoke' }, Date.now());
    const c = await hall.connect('/display', token);
    c.close();
    hall.store.revokeDevice(device.id, Date.now());
    expect((await refusal('/display', { token })).data?.code).toBe('UNAUTHORIZED');
  });
});

describe('what each kind may do', () => {
  let kiosk: TestClient;
  let display: TestClient;
  let counter: TestClient;

  beforeAll(async () => {
    kiosk = await hall.connect('/kiosk', 'demo-kiosk-2');
    display = await hall.connect('/display', 'demo-display-1');
    counter = await hall.connect('/counter', 'demo-counter-3');
  });

  it('a kiosk cannot call', async () => {
    const ack = await kiosk.command('counter:call-next');
    expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('a display cannot issue', async () => {
    const seq = hall.hall.state.seq;
    const ack = await display.command('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() });
    expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(hall.hall.state.seq).toBe(seq);
  });

  it('a counter cannot issue, and cannot call before a clerk signs in', async () => {
    expect(await counter.command('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await counter.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('a wrong password is refused without saying which part was wrong', async () => {
    const a = await counter.command('staff:sign-in', { login: 'clerk3', password: 'wrong-password' });
    const b = await counter.command('staff:sign-in', { login: 'nobody', password: 'demo1234' });
    expect(a).toMatchObject({ ok: false, error: { code: 'SIGN_IN_FAILED' } });
    expect(b).toEqual(a);
  });

  it('a clerk with no visitor in hand who signs in at another counter moves there: the first terminal acts no more', async () => {
    okData(await counter.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
    const other = await hall.connect('/counter', 'demo-counter-4');
    okData(await other.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
    expect(hall.hall.state.counterStates.get('c3')).toMatchObject({ status: 'signed_out', staffId: null });
    expect(await counter.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    // and back (the engine tests cover STAFF_BUSY, for a clerk with a visitor at the other counter)
    okData(await counter.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
    expect(await other.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('a second terminal on a signed-in counter must sign in itself before acting', async () => {
    const second = await hall.connect('/counter', 'demo-counter-3');
    expect(await second.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    // the same clerk signing in again re-attaches (a terminal that died and came back)
    okData(await second.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
    expect(await second.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NO_TICKET_WAITING' } });
  });
});

describe('malformed payloads', () => {
  const BAD_ISSUES: unknown[] = [
    undefined,
    null,
    42,
    'A001',
    [],
    {},
    { serviceId: 'id-card' },
    { serviceId: 'id-card', idempotencyKey: 'short' },
    { serviceId: 123, idempotencyKey: 'abcdefghijk' },
    { serviceId: 'id-card', idempotencyKey: 'abcdefghijk', extra: true },
    { serviceId: 'x'.repeat(10_000), idempotencyKey: 'abcdefghijk' },
    { serviceId: 'id-card', idempotencyKey: 'abcdefghijk', priority: 'vip' },
    JSON.parse('{"serviceId":"id-card","idempotencyKey":"abcdefghijk","__proto__":{"polluted":1}}'),
    { serviceId: "'; DROP TABLE tickets; --", idempotencyKey: 'abcdefghijk' },
  ];

  it('every malformed ticket:issue gets VALIDATION_FAILED or a typed refusal and changes nothing', async () => {
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const seq = hall.hall.state.seq;
    const tickets = hall.hall.state.tickets.size;
    for (const payload of BAD_ISSUES) {
      const ack = await kiosk.command<unknown>('ticket:issue', payload);
      expect(ack.ok, JSON.stringify(payload)?.slice(0, 80)).toBe(false);
      if (!ack.ok) expect(['VALIDATION_FAILED', 'SERVICE_NOT_FOUND']).toContain(ack.error.code);
    }
    expect(hall.hall.state.seq).toBe(seq);
    expect(hall.hall.state.tickets.size).toBe(tickets);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('every counter command with a malformed payload gets VALIDATION_FAILED', async () => {
    const counter = await hall.connect('/counter', 'demo-counter-5');
    okData(await counter.command('staff:sign-in', { login: 'clerk5', password: 'demo1234' }));
    const cases: [string, unknown][] = [
      ['counter:call', {}],
      ['counter:call', { ticketId: 7 }],
      ['counter:complete', { outcome: 'great' }],
      ['counter:complete', {}],
      ['counter:transfer', { serviceId: 'id-card', counterId: 'c1' }],
      ['counter:transfer', {}],
      ['counter:pause', { reason: '' }],
      ['counter:pause', { reason: 'x'.repeat(1000) }],
      ['counter:resume', null],
      ['counter:call-next', { unexpected: 1 }],
      ['staff:sign-in', { login: 'clerk5' }],
    ];
    const seq = hall.hall.state.seq;
    for (const [event, payload] of cases) {
      const ack: Ack<unknown> = await counter.command(event, payload);
      expect(ack, `${event} ${JSON.stringify(payload).slice(0, 60)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    expect(hall.hall.state.seq).toBe(seq);
  });

  it('an unknown event with an ack gets a typed answer', async () => {
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    expect(await kiosk.command('hall:drop-everything', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('an oversized message closes only that connection, and the server stays up', async () => {
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const closed = new Promise<string>((resolve) => kiosk.socket.once('disconnect', resolve));
    kiosk.socket.emit('ticket:issue', { serviceId: 'x'.repeat(200_000), idempotencyKey: 'abcdefghijk' }, () => {});
    expect(await closed).toBeTruthy();
    const again = await hall.connect('/kiosk', 'demo-kiosk-1');
    expect(okData(await again.command<{ seq: number }>('hall:sync')).seq).toBe(hall.hall.state.seq);
  });
});
