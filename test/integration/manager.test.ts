// The manager dashboard's commands over real sockets: a hall manager signs in on /manager and releases a
// counter whose clerk's terminal died with a visitor called there, so the clerk can work elsewhere.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  CounterCommandResult,
  HallSnapshot,
  HallUpdate,
  IssueTicketResult,
  ManagerSignInResult,
  ReleaseCounterResult,
  SessionEndedMessage,
  SignInResult,
} from '../../shared/protocol.ts';
import { idempotencyKey, okData, signedInManager, startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';

let hall: TestHall | null = null;
afterEach(async () => {
  await hall?.stop();
  hall = null;
});

const PASSWORD = 'demo1234';

async function issue(h: TestHall, serviceId: string): Promise<IssueTicketResult> {
  const kiosk = await h.connect('/kiosk', 'demo-kiosk-1');
  const issued = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId, idempotencyKey: idempotencyKey() }));
  kiosk.close();
  return issued;
}

async function signedInAt(h: TestHall, counterNumber: number, login: string): Promise<{ client: TestClient; sessionId: string }> {
  const client = await h.connect('/counter', `demo-counter-${counterNumber}`);
  const answer = okData(await client.command<SignInResult>('staff:sign-in', { login, password: PASSWORD }));
  return { client, sessionId: answer.sessionId };
}

/** The events table's actor of the last event of this type. */
function actorOf(h: TestHall, type: string): { device_id: string | null; staff_id: string | null } {
  const db = new BetterSqlite3(join(h.dataDir, 'hall.db'), { readonly: true });
  try {
    return db.prepare('SELECT device_id, staff_id FROM events WHERE type = ? ORDER BY id DESC LIMIT 1').get(type) as { device_id: string | null; staff_id: string | null };
  } finally {
    db.close();
  }
}

describe('a hall manager releases a counter', () => {
  it("whose clerk's terminal died with a visitor called: the visitor goes back to the queue at their place, the clerk works elsewhere", async () => {
    hall = await startTestHall();
    const first = await issue(hall, 'id-card');
    const { client: terminal } = await signedInAt(hall, 1, 'clerk1');
    expect(okData(await terminal.command<CounterCommandResult>('counter:call-next')).ticket?.id).toBe(first.ticket.id);
    terminal.close(); // the terminal dies: no sign-out
    const later = await issue(hall, 'id-card');

    const elsewhere = await hall.connect('/counter', 'demo-counter-2');
    expect(await elsewhere.command('staff:sign-in', { login: 'clerk1', password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'STAFF_BUSY' } });

    const display = await hall.connect('/display', 'demo-display-1');
    const manager = await signedInManager(hall);
    const signedOut = display.next<HallUpdate>('hall:update', (u) => u.counters.some((c) => c.id === 'c1' && c.status === 'signed_out'));
    const released = okData(await manager.command<ReleaseCounterResult>('counter:release', { counterId: 'c1' }));
    expect(released).toEqual({ counterId: 'c1', staffId: hall.store.staffByLoginName('clerk1')!.id, ticket: { id: first.ticket.id, number: first.ticket.number, to: 'queue' } });
    await signedOut; // every screen sees the counter closed

    // the audit trail names the manager, not the clerk, as the one who did it
    const managerStaffId = hall.store.staffByLoginName('manager')!.id;
    const managerDeviceId = hall.store.deviceByToken('demo-manager-1')!.id;
    expect(actorOf(hall, 'ticket.returned')).toEqual({ device_id: managerDeviceId, staff_id: managerStaffId });
    expect(actorOf(hall, 'counter.signed_out')).toEqual({ device_id: managerDeviceId, staff_id: managerStaffId });

    // the clerk signs in at counter 2, and the visitor they had called comes first there
    okData(await elsewhere.command<SignInResult>('staff:sign-in', { login: 'clerk1', password: PASSWORD }));
    const next = okData(await elsewhere.command<CounterCommandResult>('counter:call-next'));
    expect(next.ticket?.id).toBe(first.ticket.id);
    expect(next.view.queue.some((e) => e.id === later.ticket.id)).toBe(true);

    // nobody is signed in at counter 1 any more
    expect(await manager.command('counter:release', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('to a named counter: the visitor being served is directed there, and only that counter calls them', async () => {
    hall = await startTestHall();
    const ticket = await issue(hall, 'id-card');
    const { client: terminal } = await signedInAt(hall, 1, 'clerk1');
    await terminal.command('counter:call-next');
    okData(await terminal.command('counter:start'));
    terminal.close();

    const manager = await signedInManager(hall);
    const released = okData(await manager.command<ReleaseCounterResult>('counter:release', { counterId: 'c1', toCounterId: 'c7' }));
    expect(released.ticket).toEqual({ id: ticket.ticket.id, number: ticket.ticket.number, to: { counterId: 'c7' } });
    const { client: c2 } = await signedInAt(hall, 2, 'clerk2');
    expect(await c2.command('counter:call', { ticketId: ticket.ticket.id })).toMatchObject({ ok: false, error: { code: 'NOT_YOUR_TICKET' } });
    const { client: c7 } = await signedInAt(hall, 7, 'clerk1');
    const called = okData(await c7.command<CounterCommandResult>('counter:call-next'));
    expect(called.ticket?.id).toBe(ticket.ticket.id);
    expect(called.view.current?.chosenBy).toBe('directed');
  });

  it('tells a terminal still connected there that its session ended, and its resume is refused', async () => {
    hall = await startTestHall();
    const { client: terminal, sessionId } = await signedInAt(hall, 1, 'clerk1');
    const ended = terminal.next<SessionEndedMessage>('staff:session-ended');
    const snapshot = terminal.next<HallSnapshot>('hall:snapshot');
    const manager = await signedInManager(hall);
    expect(okData(await manager.command<ReleaseCounterResult>('counter:release', { counterId: 'c1' })).ticket).toBeNull();
    expect(await ended).toEqual({ reason: 'ended' });
    expect((await snapshot).counter).toBeNull();
    expect(await terminal.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await terminal.command('staff:sign-in', { login: 'clerk1', password: PASSWORD, resume: sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
  });
});

describe('signing in on /manager', () => {
  it("takes a manager's account, not a clerk's; refuses every command before, and after sign-out", async () => {
    hall = await startTestHall();
    await signedInAt(hall, 1, 'clerk1');
    const manager = await hall.connect('/manager', 'demo-manager-1');
    expect(await manager.command('counter:release', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await manager.command('staff:sign-out')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await manager.command('staff:sign-in', { login: 'clerk2', password: PASSWORD })).toMatchObject({ ok: false, error: { code: 'NOT_A_MANAGER' } });
    expect(await manager.command('staff:sign-in', { login: 'manager', password: 'wrong-password' })).toMatchObject({ ok: false, error: { code: 'SIGN_IN_FAILED' } });
    expect(await manager.command('staff:sign-in', { login: 'manager', password: PASSWORD, resume: 'abcdefgh' })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    const signedIn = okData(await manager.command<ManagerSignInResult>('staff:sign-in', { login: 'manager', password: PASSWORD }));
    expect(signedIn.staff).toMatchObject({ login: 'manager', role: 'manager', name: '周主任' });
    expect(okData(await manager.command<{ staffId: string }>('staff:sign-out')).staffId).toBe(signedIn.staff.id);
    expect(await manager.command('counter:release', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(hall.hall.state.counterStates.get('c1')?.status).toBe('idle');
  });

  it('is continued after a reconnect by its own device only, still expiring from the first sign-in', async () => {
    let now = Date.now();
    hall = await startTestHall({ clock: () => now });
    await signedInAt(hall, 1, 'clerk1');
    const first = await hall.connect('/manager', 'demo-manager-1');
    const { sessionId } = okData(await first.command<ManagerSignInResult>('staff:sign-in', { login: 'manager', password: PASSWORD }));
    first.close(); // the dashboard's connection drops

    now += (hall.hall.state.settings.staffSessionHours - 1) * 3_600_000;
    const { token: otherToken } = hall.store.addDevice({ kind: 'manager', name: '另一台管理终端' }, now);
    const other = await hall.connect('/manager', otherToken);
    expect(await other.command('staff:sign-in', { login: 'manager', password: PASSWORD, resume: sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    expect(await other.command('counter:release', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });

    // nor by another manager's account on the same device
    hall.store.addStaff({ login: 'deputy', name: '钱副主任', password: PASSWORD, role: 'manager' }, now);
    const deputy = await hall.connect('/manager', 'demo-manager-1');
    expect(await deputy.command('staff:sign-in', { login: 'deputy', password: PASSWORD, resume: sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });

    const again = await hall.connect('/manager', 'demo-manager-1');
    const resumed = okData(await again.command<ManagerSignInResult>('staff:sign-in', { login: 'manager', password: PASSWORD, resume: sessionId }));
    expect(resumed.sessionId).toBe(sessionId);
    now += 3_600_000 + 1; // staffSessionHours after the first sign-in, not after the resume
    // another sign-in meanwhile (which clears out old sessions) does not turn "expired" into "ended"
    okData(await deputy.command('staff:sign-in', { login: 'deputy', password: PASSWORD }));
    expect(await again.command('counter:release', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(await again.command('counter:release', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await again.command('staff:sign-in', { login: 'manager', password: PASSWORD, resume: sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });

    // a sign-out ends it: the connection is signed out, and its session cannot be resumed
    const { sessionId: second } = okData(await again.command<ManagerSignInResult>('staff:sign-in', { login: 'manager', password: PASSWORD }));
    okData(await again.command('staff:sign-out'));
    const later = await hall.connect('/manager', 'demo-manager-1');
    expect(await later.command('staff:sign-in', { login: 'manager', password: PASSWORD, resume: second })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
  });

  it('holds at most 8 sign-ins per device: a ninth ends the oldest; a sign-in again replaces the connection\'s own', async () => {
    hall = await startTestHall();
    await signedInAt(hall, 1, 'clerk1');
    const tabs: { client: TestClient; sessionId: string }[] = [];
    for (let i = 0; i < 9; i++) {
      const client = await hall.connect('/manager', 'demo-manager-1');
      tabs.push({ client, sessionId: okData(await client.command<ManagerSignInResult>('staff:sign-in', { login: 'manager', password: PASSWORD })).sessionId });
    }
    const [oldest, second] = tabs;
    expect(await oldest!.client.command('counter:release', { counterId: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await oldest!.client.command('staff:sign-in', { login: 'manager', password: PASSWORD, resume: oldest!.sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    // the others still act (refused by the hall's state, not for want of a sign-in)
    expect(await second!.client.command('counter:release', { counterId: 'nope' })).toMatchObject({ ok: false, error: { code: 'COUNTER_NOT_FOUND' } });
    expect(await tabs[8]!.client.command('counter:release', { counterId: 'nope' })).toMatchObject({ ok: false, error: { code: 'COUNTER_NOT_FOUND' } });

    // signing in again by hand on a connection replaces its sign-in: the one before cannot be resumed
    const { token } = hall.store.addDevice({ kind: 'manager', name: '副主任终端' }, Date.now());
    const desk = await hall.connect('/manager', token);
    const before = okData(await desk.command<ManagerSignInResult>('staff:sign-in', { login: 'manager', password: PASSWORD }));
    const after = okData(await desk.command<ManagerSignInResult>('staff:sign-in', { login: 'manager', password: PASSWORD }));
    expect(after.sessionId).not.toBe(before.sessionId);
    const elsewhere = await hall.connect('/manager', token);
    expect(await elsewhere.command('staff:sign-in', { login: 'manager', password: PASSWORD, resume: before.sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    okData(await elsewhere.command('staff:sign-in', { login: 'manager', password: PASSWORD, resume: after.sessionId }));
  });

  it('expires after staffSessionHours like a clerk session', async () => {
    let now = Date.now();
    hall = await startTestHall({ clock: () => now });
    await signedInAt(hall, 1, 'clerk1');
    const manager = await signedInManager(hall);
    now += hall.hall.state.settings.staffSessionHours * 3_600_000 + 1;
    expect(await manager.command('counter:release', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(await manager.command('counter:release', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('refuses unknown counters, a release to the same counter and one made on a stale look at the counter, changing nothing', async () => {
    hall = await startTestHall();
    await issue(hall, 'id-card');
    const { client: terminal } = await signedInAt(hall, 1, 'clerk1');
    await terminal.command('counter:call-next');
    const manager = await signedInManager(hall);
    const seq = hall.hall.state.seq;
    expect(await manager.command('counter:release', { counterId: 'nope' })).toMatchObject({ ok: false, error: { code: 'COUNTER_NOT_FOUND' } });
    expect(await manager.command('counter:release', { counterId: 'c1', toCounterId: 'nope' })).toMatchObject({ ok: false, error: { code: 'COUNTER_NOT_FOUND' } });
    expect(await manager.command('counter:release', { counterId: 'c1', toCounterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'TRANSFER_TO_SELF' } });
    expect(await manager.command('counter:release', {})).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // the dashboard says which visitor it saw there: another one, or nobody, is refused
    expect(await manager.command('counter:release', { counterId: 'c1', expectedTicketId: null })).toMatchObject({ ok: false, error: { code: 'COUNTER_CHANGED' } });
    expect(await manager.command('counter:release', { counterId: 'c1', expectedTicketId: 'another-ticket' })).toMatchObject({ ok: false, error: { code: 'COUNTER_CHANGED' } });
    expect(hall.hall.state.seq).toBe(seq);
    expect(hall.hall.state.counterStates.get('c1')?.status).toBe('calling');
  });
});
