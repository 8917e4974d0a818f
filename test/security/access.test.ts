// Sign-in lockout, session expiry, immediate disconnection of revoked devices, per-device rate limits.
import { afterEach, describe, expect, it } from 'vitest';
import { SIGN_IN_LOCK_MS, SIGN_IN_MAX_FAILURES } from '../../server/limits.ts';
import { rmSync } from 'node:fs';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION, type CounterCommandResult, type CounterViewMessage, type HallSnapshot, type HallUpdate, type SessionEndedMessage, type SignInResult, type SignOutResult } from '../../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, tempDataDir, type TestHall } from '../helpers/hall.ts';
import { waitFor } from '../helpers/load-clients.ts';
import { runCli } from '../helpers/process.ts';

let hall: TestHall | null = null;
afterEach(async () => {
  await hall?.stop();
  hall = null;
});

/**
 * One Engine.IO WebSocket transport on which `n` Socket.IO CONNECTs to /display with the demo display
 * token are sent at once; `frames` collects everything the server sends on it.
 */
async function displayConnectsOnOneTransport(url: string, n: number): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => frames.push(data.toString()));
  await new Promise((resolve) => ws.once('open', resolve));
  await waitFor(() => frames.some((f) => f.startsWith('0')), 5_000, 'the Engine.IO open packet');
  const connect = `40/display,${JSON.stringify({ token: 'demo-display-1', protocolVersion: PROTOCOL_VERSION })}`;
  for (let i = 0; i < n; i++) ws.send(connect);
  return { ws, frames };
}

describe('staff sign-in', () => {
  it(`locks a login after ${SIGN_IN_MAX_FAILURES} wrong passwords, even against the right one, until the lock ends`, async () => {
    let now = Date.now();
    hall = await startTestHall({ clock: () => now });
    const counter = await hall.connect('/counter', 'demo-counter-1');
    for (let i = 0; i < SIGN_IN_MAX_FAILURES; i++) {
      expect(await counter.command('staff:sign-in', { login: 'clerk1', password: `wrong-${i}` })).toMatchObject({ error: { code: 'SIGN_IN_FAILED' } });
    }
    expect(await counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' })).toMatchObject({ error: { code: 'SIGN_IN_LOCKED' } });
    // another login is not affected
    const other = await hall.connect('/counter', 'demo-counter-2');
    okData(await other.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    now += SIGN_IN_LOCK_MS + 1;
    okData(await counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
  });

  it('checks guesses sent together one at a time: the right password sent after them finds the login locked', async () => {
    hall = await startTestHall();
    const counter = await hall.connect('/counter', 'demo-counter-1');
    const answers = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => counter.command('staff:sign-in', { login: 'clerk1', password: `guess-${i}` })),
      counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }),
    ]);
    const codes = answers.map((a) => (a.ok ? 'OK' : a.error.code));
    expect(codes.filter((c) => c === 'SIGN_IN_FAILED')).toHaveLength(SIGN_IN_MAX_FAILURES);
    expect(codes.filter((c) => c === 'SIGN_IN_LOCKED')).toHaveLength(31 - SIGN_IN_MAX_FAILURES);
    expect(codes.at(-1)).toBe('SIGN_IN_LOCKED');
    // guesses at one terminal do not lock the clerk out of another
    const own = await hall.connect('/counter', 'demo-counter-2');
    okData(await own.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
  });

  it("ends a counter's other connections' sessions when a clerk signs in or out on one of them", async () => {
    hall = await startTestHall();
    const old = await hall.connect('/counter', 'demo-counter-1');
    const current = await hall.connect('/counter', 'demo-counter-1');
    okData(await old.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    okData(await current.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    expect(await old.command('counter:pause', { reason: '午休' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    okData(await old.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    okData(await current.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    okData(await current.command('staff:sign-out'));
    okData(await current.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    // the old connection does not regain the session the clerk opened again elsewhere
    expect(await old.command('counter:pause', { reason: '午休' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    okData(await current.command('counter:pause', { reason: '午休' }));
  });

  it('expires a session after staffSessionHours; signing in again resumes the counter as it was', async () => {
    // 08:00 in Shanghai: twelve hours later is still the same business day (a rollover would close the ticket)
    let now = Date.UTC(2026, 10, 23, 0, 0);
    hall = await startTestHall({ clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));
    const counter = await hall.connect('/counter', 'demo-counter-1');
    okData(await counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    okData(await counter.command('counter:call-next'));
    now += hall.hall.state.settings.staffSessionHours * 3_600_000 + 1;
    expect(await counter.command('counter:start')).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(await counter.command('counter:start')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    okData(await counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const started = okData(await counter.command<{ ticket: { number: string; status: string } }>('counter:start'));
    expect(started.ticket).toMatchObject({ number: 'A001', status: 'serving' });
  });
});

describe("a counter's own view (the visitor in hand, the queue)", () => {
  it('goes only to a connection with the clerk signed in: not to another terminal of the counter, nor after the session ends there', async () => {
    hall = await startTestHall();
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber: '11010519491231002X' }));
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const called = okData(await clerk.command<CounterCommandResult>('counter:call-next'));
    const masked = called.ticket!.idMasked!;
    expect(masked).toMatch(/\*/);

    // a second terminal of the same counter, nobody signed in on it: the hall as a display sees it
    const bystander = await hall.connect('/counter', 'demo-counter-1');
    const bystanderViews: CounterViewMessage[] = [];
    bystander.socket.on('counter:view', (m: CounterViewMessage) => bystanderViews.push(m));
    expect(bystander.snapshot.counterId).toBe('c1');
    expect(bystander.snapshot.counter).toBeNull();
    expect(bystander.snapshot.counters.find((c) => c.id === 'c1')).toMatchObject({ status: 'calling', current: { number: called.ticket!.number } });
    const told = JSON.stringify(bystander.snapshot);
    expect(told).not.toContain(masked);
    expect(told).not.toContain('clerk1');

    const clerkView = clerk.next<CounterViewMessage>('counter:view', (m) => m.view.status === 'serving');
    okData(await clerk.command('counter:start'));
    expect((await clerkView).view.current?.idMasked).toBe(masked);
    const synced = okData(await bystander.command<HallSnapshot>('hall:sync'));
    expect(synced.counter).toBeNull();
    expect(bystanderViews).toEqual([]); // messages on a socket arrive in order: none came before the sync answer

    // the clerk signs in on the second terminal: its view arrives there, and the first one's session ends
    const moved = bystander.next<CounterViewMessage>('counter:view');
    okData(await bystander.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect((await moved).view).toMatchObject({ counterId: 'c1', status: 'serving', current: { idMasked: masked } });
    const oldViews: CounterViewMessage[] = [];
    clerk.socket.on('counter:view', (m: CounterViewMessage) => oldViews.push(m));
    const done = bystander.next<CounterViewMessage>('counter:view', (m) => m.view.status === 'idle');
    okData(await bystander.command('counter:complete', { outcome: 'concluded' }));
    await done;
    expect(okData(await clerk.command<HallSnapshot>('hall:sync')).counter).toBeNull();
    expect(oldViews).toEqual([]);
    expect(okData(await bystander.command<HallSnapshot>('hall:sync')).counter).toMatchObject({ counterId: 'c1', status: 'idle' });
  });

  it("is not in a sign-out's answer, nor sent after it", async () => {
    hall = await startTestHall();
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber: '11010519491231002X' }));
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    const ownView = clerk.next<CounterViewMessage>('counter:view'); // the sign-in's own, after its answer
    const signedIn = okData(await clerk.command<SignInResult>('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect(signedIn.view.queue.length).toBeGreaterThan(0); // the signed-in clerk sees the queue
    await ownView;
    const views: CounterViewMessage[] = [];
    clerk.socket.on('counter:view', (m: CounterViewMessage) => views.push(m));
    const answer = okData(await clerk.command<SignOutResult>('staff:sign-out'));
    expect(answer).toEqual({ staffId: signedIn.staff.id });
    // a display's view of the hall from here on: the next sync and anything sent before it carry no counter view
    expect(okData(await clerk.command<HallSnapshot>('hall:sync')).counter).toBeNull();
    expect(views).toEqual([]);
  });

  it('is taken back at once from a connection whose session ended: a fresh snapshot without it', async () => {
    hall = await startTestHall({ revocationCheckMs: 3_600_000 }); // no periodic sweep: the sign-ins tell at once
    const first = await hall.connect('/counter', 'demo-counter-1');
    okData(await first.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    // the same clerk signs in on another terminal of the counter
    const second = await hall.connect('/counter', 'demo-counter-1');
    const toldFirst = first.next<HallSnapshot>('hall:snapshot');
    okData(await second.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect(await toldFirst).toMatchObject({ counterId: 'c1', counter: null, seq: hall.hall.state.seq });
    // and then at another counter: the second terminal's sign-in no longer holds counter 1
    const elsewhere = await hall.connect('/counter', 'demo-counter-2');
    const toldSecond = second.next<HallSnapshot>('hall:snapshot');
    okData(await elsewhere.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect(await toldSecond).toMatchObject({ counterId: 'c1', counter: null });
    expect(await second.command('counter:pause', { reason: '午休' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('is taken back from an expired session by the periodic check, which says why and still answers SESSION_EXPIRED once', async () => {
    let now = Date.UTC(2026, 10, 23, 0, 0); // 08:00 in Shanghai
    hall = await startTestHall({ clock: () => now, revocationCheckMs: 50 });
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const why = clerk.next<SessionEndedMessage>('staff:session-ended');
    const told = clerk.next<HallSnapshot>('hall:snapshot');
    now += hall.hall.state.settings.staffSessionHours * 3_600_000 + 1;
    expect(await why).toEqual({ reason: 'expired' });
    expect(await told).toMatchObject({ counterId: 'c1', counter: null });
    expect(await clerk.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(await clerk.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('signs its counter out when it expires with no visitor at the counter; a terminal away meanwhile is told it expired', async () => {
    let now = Date.UTC(2026, 10, 23, 0, 0); // 08:00 in Shanghai
    hall = await startTestHall({ clock: () => now, revocationCheckMs: 50 });
    const display = await hall.connect('/display', 'demo-display-1');
    // counter 3 idle, counter 2 paused, counter 1 with a visitor called
    const idle = await hall.connect('/counter', 'demo-counter-3');
    const signedIn = okData(await idle.command<SignInResult>('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
    const paused = await hall.connect('/counter', 'demo-counter-2');
    okData(await paused.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    okData(await paused.command('counter:pause', { reason: '午休' }));
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));
    const busy = await hall.connect('/counter', 'demo-counter-1');
    okData(await busy.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const called = okData(await busy.command<CounterCommandResult>('counter:call-next'));
    idle.close(); // counter 3's terminal is away when the session expires

    const signedOut = display.next<HallUpdate>('hall:update', (u) => u.counters.filter((c) => c.status === 'signed_out').length >= 2);
    now += hall.hall.state.settings.staffSessionHours * 3_600_000 + 1;
    const update = await signedOut;
    expect(update.counters.filter((c) => c.id === 'c2' || c.id === 'c3').map((c) => c.status)).toEqual(['signed_out', 'signed_out']);
    // the visitor keeps the clerk at counter 1
    expect(hall.hall.state.counterStates.get('c1')).toMatchObject({ status: 'calling', currentTicketId: called.ticket!.id });
    // signed out by the server, not by a device, in the audit trail
    const events = hall.store.db.prepare("SELECT device_id FROM events WHERE type = 'counter.signed_out'").all() as { device_id: string | null }[];
    expect(events).toEqual([{ device_id: null }, { device_id: null }]);

    const back = await hall.connect('/counter', 'demo-counter-3');
    expect(await back.command('staff:sign-in', { login: 'clerk3', password: 'demo1234', resume: signedIn.sessionId })).toMatchObject({
      ok: false,
      error: { code: 'SESSION_EXPIRED' },
    });
    // signing in afresh opens the counter again
    okData(await back.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
    expect(hall.hall.state.counterStates.get('c3')).toMatchObject({ status: 'idle' });
    // the clerk with the visitor signs in again and carries on with the same ticket
    okData(await busy.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect(okData(await busy.command<CounterCommandResult>('counter:start')).ticket).toMatchObject({ id: called.ticket!.id, status: 'serving' });
  });

  it('expires at a counter whose session was never recorded too, counted from the clerk’s last sign-in there', async () => {
    const dataDir = tempDataDir();
    let now = Date.UTC(2026, 10, 23, 0, 0); // 08:00 in Shanghai
    try {
      hall = await startTestHall({ dataDir, clock: () => now });
      const terminal = await hall.connect('/counter', 'demo-counter-3');
      okData(await terminal.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
      hall.store.deleteClerkSession('c3'); // as if its record could not be written
      await hall.stop();

      now += 11 * 3_600_000; // not yet expired when the server starts again: the session counts from the sign-in
      hall = await startTestHall({ dataDir, clock: () => now, revocationCheckMs: 50 });
      expect(hall.hall.state.counterStates.get('c3')).toMatchObject({ status: 'idle' });
      now += 3_600_000 + 60_000;
      await waitFor(() => hall!.hall.state.counterStates.get('c3')?.status === 'signed_out', 5_000, 'the counter signed out at expiry');
    } finally {
      await hall?.stop();
      hall = null;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('ends with the business day: each terminal is told once, with one snapshot', async () => {
    let now = Date.UTC(2026, 10, 23, 15, 0); // 23:00 in Shanghai
    hall = await startTestHall({ clock: () => now, revocationCheckMs: 50 });
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const told: string[] = [];
    clerk.socket.on('staff:session-ended', (m: SessionEndedMessage) => told.push(`ended:${m.reason}`));
    clerk.socket.on('hall:snapshot', (snap: HallSnapshot) => told.push(`snapshot:${snap.businessDate}:${snap.counter === null}`));
    now += 90 * 60_000; // 00:30 the next day: a new business day, the session not yet expired
    expect(hall.hall.rollOver()).toBe(true);
    await waitFor(() => told.length >= 2, 5_000, 'the close of the day reaches the terminal');
    await new Promise((r) => setTimeout(r, 300)); // several periodic checks: nothing more comes
    expect(told).toEqual(['ended:ended', 'snapshot:2026-11-24:true']);
    expect(await clerk.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
  });

  it('is continued after a reconnect only if nothing ended it meanwhile (staff:sign-in resume)', async () => {
    hall = await startTestHall({ revocationCheckMs: 3_600_000 });
    const signIn = { login: 'clerk1', password: 'demo1234' };
    // a network blip: the terminal comes back and continues its session
    const a = await hall.connect('/counter', 'demo-counter-1');
    const first = okData(await a.command<SignInResult>('staff:sign-in', signIn));
    expect(first.sessionId).toMatch(/^[\w-]{8,}$/);
    a.close();
    const aBack = await hall.connect('/counter', 'demo-counter-1');
    const resumed = okData(await aBack.command<SignInResult>('staff:sign-in', { ...signIn, resume: first.sessionId }));
    expect(resumed.sessionId).toBe(first.sessionId);
    okData(await aBack.command('counter:pause', { reason: '午休' }));
    okData(await aBack.command('counter:unpause'));

    // while it is away, the clerk signs in on another terminal of the counter: it may not take the session back
    aBack.close();
    const b = await hall.connect('/counter', 'demo-counter-1');
    const onB = okData(await b.command<SignInResult>('staff:sign-in', signIn));
    const aAgain = await hall.connect('/counter', 'demo-counter-1');
    expect(await aAgain.command('staff:sign-in', { ...signIn, resume: first.sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    okData(await b.command('counter:pause', { reason: '午休' })); // B keeps it
    okData(await b.command('counter:unpause'));

    // nor after the clerk moved to another counter, which keeps the clerk
    b.close();
    const elsewhere = await hall.connect('/counter', 'demo-counter-2');
    okData(await elsewhere.command('staff:sign-in', signIn));
    const bAgain = await hall.connect('/counter', 'demo-counter-1');
    expect(await bAgain.command('staff:sign-in', { ...signIn, resume: onB.sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    expect(hall.hall.state.counterStates.get('c2')?.staffId).toBe(hall.store.staffByLoginName('clerk1')!.id);
    expect(hall.hall.state.counterStates.get('c1')?.staffId).toBeNull();
    okData(await elsewhere.command('counter:pause', { reason: '午休' }));
    // a session id the server never gave out resumes nothing at a counter the clerk does not hold
    expect(await bAgain.command('staff:sign-in', { ...signIn, resume: 'made-up-session' })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
  });

  it('is continued after a server restart by the terminal holding it only, its expiry still counting from the sign-in', async () => {
    const dataDir = tempDataDir();
    const signIn = { login: 'clerk1', password: 'demo1234' };
    let now = Date.UTC(2026, 10, 23, 0, 0); // 08:00 in Shanghai
    try {
      hall = await startTestHall({ dataDir, clock: () => now });
      const left = await hall.connect('/counter', 'demo-counter-1');
      const old = okData(await left.command<SignInResult>('staff:sign-in', signIn)).sessionId;
      left.close(); // the clerk leaves this terminal for the other one at the counter
      const used = await hall.connect('/counter', 'demo-counter-1');
      const current = okData(await used.command<SignInResult>('staff:sign-in', signIn)).sessionId;
      await hall.stop();

      hall = await startTestHall({ dataDir, clock: () => now });
      const first = await hall.connect('/counter', 'demo-counter-1');
      expect(await first.command('staff:sign-in', { ...signIn, resume: old })).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
      const second = await hall.connect('/counter', 'demo-counter-1');
      expect(okData(await second.command<SignInResult>('staff:sign-in', { ...signIn, resume: current })).sessionId).toBe(current);
      okData(await second.command('counter:pause', { reason: '午休' }));
      await hall.stop();

      // twelve hours after the sign-in, another restart does not give the session a fresh start
      now += hall.hall.state.settings.staffSessionHours * 3_600_000 + 60_000;
      hall = await startTestHall({ dataDir, clock: () => now, revocationCheckMs: 50 });
      const late = await hall.connect('/counter', 'demo-counter-1');
      expect(await late.command('staff:sign-in', { ...signIn, resume: current })).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
      // the expiry signs the paused counter out; after one more restart the terminal is still told it expired
      await waitFor(() => hall!.hall.state.counterStates.get('c1')?.status === 'signed_out', 5_000, 'the expired counter signed out');
      await hall.stop();
      hall = await startTestHall({ dataDir, clock: () => now });
      const again = await hall.connect('/counter', 'demo-counter-1');
      expect(await again.command('staff:sign-in', { ...signIn, resume: current })).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    } finally {
      await hall?.stop();
      hall = null;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('made by the sign-in that turns the business day over holds: the close of the day ends only the earlier ones', async () => {
    let now = Date.UTC(2026, 10, 23, 15, 0); // 23:00 in Shanghai
    hall = await startTestHall({ clock: () => now, revocationCheckMs: 3_600_000 });
    const yesterday = await hall.connect('/counter', 'demo-counter-2');
    okData(await yesterday.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
    now += 90 * 60_000; // 00:30: no command or check has noticed the new day yet
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    const ended: SessionEndedMessage[] = [];
    clerk.socket.on('staff:session-ended', (m: SessionEndedMessage) => ended.push(m));
    const told = yesterday.next<SessionEndedMessage>('staff:session-ended');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' })); // the day turns over here
    expect(await told).toEqual({ reason: 'ended' });
    okData(await clerk.command('counter:pause', { reason: '午休' }));
    expect(ended).toEqual([]);
    expect(okData(await clerk.command<HallSnapshot>('hall:sync')).counter).toMatchObject({ counterId: 'c1', status: 'paused' });
  });

  it('stops when the session expires', async () => {
    let now = Date.UTC(2026, 10, 23, 0, 0); // 08:00 in Shanghai
    hall = await startTestHall({ clock: () => now });
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect(okData(await clerk.command<HallSnapshot>('hall:sync')).counter).toMatchObject({ counterId: 'c1' });
    now += hall.hall.state.settings.staffSessionHours * 3_600_000 + 1;
    expect(okData(await clerk.command<HallSnapshot>('hall:sync')).counter).toBeNull();
  });
});

describe('revoked devices', () => {
  it('are disconnected at once, even when revoked by the CLI in another process', async () => {
    hall = await startTestHall();
    const added = runCli(['device', 'add', '--kind', 'display', '--name', 'lobby', '--data-dir', hall.dataDir]);
    const token = added.stdout.trim().split('\n').at(-1)!;
    const id = /device (\S+) \(display\)/.exec(added.stdout)![1]!;
    const display = await hall.connect('/display', token);
    const gone = new Promise<string>((resolve) => display.socket.once('disconnect', resolve));
    expect(runCli(['device', 'revoke', '--id', id, '--data-dir', hall.dataDir]).status).toBe(0);
    expect(await gone).toBe('io server disconnect');
    await expect(hall.connect('/display', token)).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  it('cannot act from the moment they are revoked: the next command is refused and the socket closed', async () => {
    hall = await startTestHall({ revocationCheckMs: 600_000 }); // the periodic check must not be what closes it
    const { device, token } = hall.store.addDevice({ kind: 'kiosk', name: 'temp' }, Date.now());
    const kiosk = await hall.connect('/kiosk', token);
    okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() }));
    const seq = hall.hall.state.seq;
    const gone = new Promise<string>((resolve) => kiosk.socket.once('disconnect', resolve));
    hall.store.revokeDevice(device.id, Date.now()); // as the CLI does, straight in the database
    expect(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    expect(await gone).toBe('io server disconnect');
    expect(hall.hall.state.seq).toBe(seq);
  });

  it('cannot issue over HTTP once revoked', async () => {
    hall = await startTestHall();
    const { device, token } = hall.store.addDevice({ kind: 'kiosk', name: 'temp' }, Date.now());
    const post = () =>
      fetch(`${hall!.url}/api/v1/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ serviceId: 'consult', idempotencyKey: idempotencyKey() }),
      });
    expect((await post()).status).toBe(201);
    hall.store.revokeDevice(device.id, Date.now());
    expect((await post()).status).toBe(401);
  });
});

describe('rate limits', () => {
  it('refuse a flooding device with RATE_LIMITED and leave other devices alone', async () => {
    hall = await startTestHall({ rateLimit: { perSecond: 1, burst: 5 }, clock: () => 1_800_000_000_000 });
    const flooding = await hall.connect('/kiosk', 'demo-kiosk-1');
    const answers = await Promise.all(Array.from({ length: 8 }, () => flooding.command('hall:sync')));
    expect(answers.filter((a) => a.ok)).toHaveLength(5);
    expect(answers.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED')).toHaveLength(3);
    const calm = await hall.connect('/kiosk', 'demo-kiosk-2');
    expect((await calm.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() })).ok).toBe(true);
  });

  it('cap the connections one device token holds: the next is refused with RATE_LIMITED, others are not affected', async () => {
    let now = Date.UTC(2026, 10, 23, 2, 0);
    hall = await startTestHall({ maxConnectionsPerDevice: 3, clock: () => now });
    const open = await Promise.all([1, 2, 3].map(() => hall!.connect('/display', 'demo-display-1')));
    now += 10_000; // the connect budget is back: only the cap refuses now
    const refused = await hall.connect('/display', 'demo-display-1').then(
      () => null,
      (err: Error & { data?: { code: string; message: string } }) => err.data,
    );
    expect(refused).toEqual({ code: 'RATE_LIMITED', message: expect.stringContaining('连接过多') });
    // the connections it has keep working, and another device connects as usual
    expect((await open[0]!.command('hall:sync')).ok).toBe(true);
    await hall.connect('/manager', 'demo-manager-1');
    // a place freed is a place to take
    open[1]!.close();
    await waitFor(() => hall!.realtime.io.of('/display').sockets.size === 2, 5_000, 'the server sees the connection closed');
    const again = await hall.connect('/display', 'demo-display-1');
    expect((await again.command('hall:sync')).ok).toBe(true);
  });

  it('cap the connections of a token even when they arrive together on one transport', async () => {
    hall = await startTestHall({ maxConnectionsPerDevice: 3 });
    const { ws, frames } = await displayConnectsOnOneTransport(hall.url, 6);
    await waitFor(() => frames.filter((f) => f.startsWith('40/display') || f.startsWith('44/display')).length === 6, 5_000, 'six answers');
    ws.close();
    expect(frames.filter((f) => f.startsWith('40/display'))).toHaveLength(3);
    expect(frames.filter((f) => f.startsWith('44/display') && f.includes('RATE_LIMITED'))).toHaveLength(3);
  });

  it('watch a transport carrying many connections with one listener (no MaxListenersExceededWarning)', async () => {
    hall = await startTestHall();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      // with the transport's own listener, more than Node's default of 10
      const { ws, frames } = await displayConnectsOnOneTransport(hall.url, 10);
      await waitFor(() => frames.filter((f) => f.startsWith('40/display')).length === 10, 5_000, 'ten connections');
      ws.close();
      await new Promise((r) => setTimeout(r, 100)); // warnings are emitted on the next tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('give a place back when the transport closed before the connection was made', async () => {
    let now = Date.UTC(2026, 10, 23, 2, 0);
    hall = await startTestHall({ maxConnectionsPerDevice: 2, clock: () => now });
    const base = `${hall.url}/socket.io/?EIO=4&transport=polling`;
    for (let i = 0; i < 2; i++) {
      // one long-polling POST carrying a CONNECT and the Engine.IO close packet together
      const open = await (await fetch(base)).text();
      const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
      const body = `40/display,${JSON.stringify({ token: 'demo-display-1', protocolVersion: PROTOCOL_VERSION })}\x1e1`;
      await (await fetch(`${base}&sid=${sid}`, { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8' } })).text();
    }
    await new Promise((r) => setTimeout(r, 200));
    now += 20_000; // the connect budget is back: only places can refuse now
    const display = await hall.connect('/display', 'demo-display-1');
    expect((await display.command('hall:sync')).ok).toBe(true);
    await hall.connect('/display', 'demo-display-1');
  });

  it('cap how often a device connects: a client reconnecting in a loop is refused until its budget refills', async () => {
    let now = Date.UTC(2026, 10, 23, 2, 0);
    hall = await startTestHall({ maxConnectionsPerDevice: 3, clock: () => now });
    for (let i = 0; i < 3; i++) (await hall.connect('/kiosk', 'demo-kiosk-1')).close();
    await expect(hall.connect('/kiosk', 'demo-kiosk-1')).rejects.toMatchObject({ data: { code: 'RATE_LIMITED' } });
    now += 10_000; // the budget is back
    const back = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await back.command('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));
  });

  it('count unknown events too: answered FORBIDDEN from the same budget', async () => {
    hall = await startTestHall({ rateLimit: { perSecond: 1, burst: 5 }, clock: () => 1_800_000_000_000 });
    const display = await hall.connect('/display', 'demo-display-1');
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => display.command(`made-up:${i}`)));
    expect(answers.map((a) => (a.ok ? 'OK' : a.error.code))).toEqual([...Array(5).fill('FORBIDDEN'), ...Array(3).fill('RATE_LIMITED')]);
    expect(await display.command('hall:sync')).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });
});
