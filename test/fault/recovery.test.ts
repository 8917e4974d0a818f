// Clients that lose the connection while the server keeps running and the hall keeps changing:
// screens and counters come back to the exact current state, a client that missed an update asks
// for hall:sync, a kiosk's retries of one idempotency key never make a second ticket, and a clerk
// whose terminal dies mid-service keeps the ticket and finishes it after signing in again.
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type {
  CounterCommandResult,
  CounterViewMessage,
  HallSnapshot,
  IssueTicketResult,
  SignInResult,
} from '../../shared/protocol.ts';
import { connectClient, idempotencyKey, okData, startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';
import { HallMirror, ReliableKiosk, deviceSocket, emitCommand, waitFor } from '../helpers/load-clients.ts';

// A manual clock (Mon 2 June 2025, 10:00 in Shanghai) keeps every time-dependent field still, so
// snapshots taken at different moments compare equal when the hall has not changed.
let now = Date.UTC(2025, 5, 2, 2, 0, 0);
const clock = () => now;
const tick = (ms = 1_000) => (now += ms);

let hall: TestHall;
const sockets: Socket[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const c of clients.splice(0)) c.close();
  await hall.stop();
});

async function start(): Promise<TestHall> {
  hall = await startTestHall({ clock });
  return hall;
}

async function client(namespace: string, token: string): Promise<TestClient> {
  const c = await connectClient(hall.url, namespace, token);
  clients.push(c);
  return c;
}

function socket(namespace: string, token: string): Socket {
  const s = deviceSocket(hall.url, namespace, token);
  sockets.push(s);
  return s;
}

async function signedIn(counterNumber: number, login = `clerk${counterNumber}`): Promise<TestClient> {
  const c = await client('/counter', `demo-counter-${counterNumber}`);
  okData(await c.command<SignInResult>('staff:sign-in', { login, password: 'demo1234' }));
  return c;
}

async function issue(kiosk: TestClient, serviceId: string, key = idempotencyKey()): Promise<IssueTicketResult['ticket']> {
  tick();
  return okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId, idempotencyKey: key })).ticket;
}

async function act(counter: TestClient, event: string, payload?: unknown): Promise<CounterCommandResult> {
  tick();
  return okData(await (payload === undefined ? counter.command<CounterCommandResult>(event) : counter.command<CounterCommandResult>(event, payload)));
}

/** A fresh snapshot from a new client of the namespace, without its serverTime. */
async function freshSnapshot(namespace: string, token: string): Promise<Omit<HallSnapshot, 'serverTime'>> {
  const c = await client(namespace, token);
  const { serverTime: _ignored, ...rest } = c.snapshot;
  c.close();
  return rest;
}

function withoutTime(s: HallSnapshot): Omit<HallSnapshot, 'serverTime'> {
  const { serverTime: _ignored, ...rest } = s;
  return rest;
}

/** Reconnects a socket that was closed on purpose and resolves with the snapshot it gets. */
function reconnect(s: Socket): Promise<HallSnapshot> {
  const snapshot = new Promise<HallSnapshot>((resolve) => s.once('hall:snapshot', resolve));
  s.connect();
  return snapshot;
}

function ticketsWithKey(key: string): number {
  return hall.store.db.prepare('SELECT count(*) FROM tickets WHERE idempotency_key = ?').pluck().get(key) as number;
}

function ticketCount(): number {
  return hall.store.db.prepare('SELECT count(*) FROM tickets').pluck().get() as number;
}

/** Changes a running hall a great deal: issues, calls, starts, completes, no-shows, a pause. */
async function busyHall(kiosk: TestClient, a: TestClient, b: TestClient): Promise<void> {
  for (const s of ['id-card', 'social-insurance', 'passport', 'id-card', 'consult', 'pension', 'id-card']) await issue(kiosk, s);
  await act(a, 'counter:call-next');
  await act(a, 'counter:start');
  await act(a, 'counter:complete', { outcome: 'concluded' });
  await act(a, 'counter:call-next');
  await act(a, 'counter:no-show');
  await act(b, 'counter:call-next');
  await act(b, 'counter:start');
  await act(a, 'counter:pause', { reason: '午休' });
  await issue(kiosk, 'passport');
}

describe('a screen or terminal that was away', () => {
  it('a display reconnects to exactly the current hall, and its kept state is replaced', async () => {
    await start();
    const kiosk = await client('/kiosk', 'demo-kiosk-1');
    const c1 = await signedIn(1);
    const c2 = await signedIn(2);
    await issue(kiosk, 'id-card');

    const display = socket('/display', 'demo-display-1');
    const mirror = new HallMirror(display, 'display');
    await waitFor(() => mirror.generation === 1, 5_000, 'first snapshot');
    expect((await mirror.compareWithServer()).equal).toBe(true);
    const seqBefore = mirror.seq;

    display.disconnect();
    await busyHall(kiosk, c1, c2);
    expect(mirror.seq).toBe(seqBefore); // it really missed everything

    const back = await reconnect(display);
    expect(back.seq).toBe(hall.hall.state.seq);
    expect(withoutTime(back)).toEqual(await freshSnapshot('/display', 'demo-display-1'));
    const cmp = await mirror.compareWithServer();
    expect(cmp.diff).toBe('');
    expect(mirror.gaps).toBe(0); // the snapshot on connect, not a gap sync, brought it back

    // and it stays in step with what happens next
    await issue(kiosk, 'tax');
    await act(c1, 'counter:unpause');
    await act(c1, 'counter:call-next');
    await waitFor(() => mirror.seq === hall.hall.state.seq, 5_000, 'display follows the updates');
    expect((await mirror.compareWithServer()).diff).toBe('');
  });

  it('a counter terminal reconnects to the exact hall, and gets its counter view back when the clerk signs in again', async () => {
    await start();
    const kiosk = await client('/kiosk', 'demo-kiosk-1');
    const c1 = await signedIn(1);
    const terminal = socket('/counter', 'demo-counter-2');
    const mirror = new HallMirror(terminal, 'counter2');
    await waitFor(() => mirror.generation === 1, 5_000, 'first snapshot');
    const signIn = await emitCommand<SignInResult>(terminal, 'staff:sign-in', { login: 'clerk2', password: 'demo1234' });
    expect(signIn.kind === 'ack' && signIn.ack.ok).toBe(true);

    terminal.disconnect();
    const c2 = await client('/counter', 'demo-counter-3'); // another counter works meanwhile
    okData(await c2.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' }));
    await busyHall(kiosk, c1, c2);

    const back = await reconnect(terminal);
    expect(back.counterId).toBe('c2');
    // still signed in at the counter: the counter is as it was left
    expect(back.counters.find((c) => c.id === 'c2')).toMatchObject({ status: 'idle', staff: { staffNo: expect.any(String) } });
    // but nobody is signed in on this new connection: it does not get the counter's own view
    expect(back.counter).toBeNull();
    expect(withoutTime(back)).toEqual(await freshSnapshot('/counter', 'demo-counter-2'));
    expect((await mirror.compareWithServer()).diff).toBe('');

    // the new socket has no clerk yet: commands are refused until the clerk signs in again
    const refused = await emitCommand<CounterCommandResult>(terminal, 'counter:call-next', undefined);
    expect(refused.kind === 'ack' && !refused.ack.ok && refused.ack.error.code).toBe('NOT_SIGNED_IN');
    const views: CounterViewMessage[] = [];
    terminal.on('counter:view', (m: CounterViewMessage) => views.push(m));
    const again = await emitCommand<SignInResult>(terminal, 'staff:sign-in', { login: 'clerk2', password: 'demo1234' });
    expect(again.kind === 'ack' && again.ack.ok).toBe(true);
    // the sign-in changed nothing at the counter, yet the terminal has its view at once
    expect(views.map((m) => [m.view.counterId, m.view.status])).toEqual([['c2', 'idle']]);
    expect(views[0]!.seq).toBe(hall.hall.state.seq);
    const called = await emitCommand<CounterCommandResult>(terminal, 'counter:call-next', undefined);
    expect(called.kind === 'ack' && called.ack.ok && called.ack.data.view.status).toBe('calling');
    await waitFor(() => mirror.seq === hall.hall.state.seq, 5_000, 'counter follows the updates');
    expect((await mirror.compareWithServer()).diff).toBe('');
  });

  it('a client that sees a seq gap asks for hall:sync and ends with the exact state', async () => {
    await start();
    const kiosk = await client('/kiosk', 'demo-kiosk-1');
    const c1 = await signedIn(1);
    const c2 = await signedIn(2);
    const display = socket('/display', 'demo-display-1');
    const mirror = new HallMirror(display, 'display');
    await waitFor(() => mirror.generation === 1, 5_000, 'first snapshot');
    const syncs: number[] = [];
    display.onAnyOutgoing((event: string) => {
      if (event === 'hall:sync') syncs.push(mirror.seq);
    });

    const seqAtStart = mirror.seq;
    expect(seqAtStart).toBe(hall.hall.state.seq);
    mirror.dropNextUpdates = 1; // the network loses one hall:update
    await issue(kiosk, 'id-card');
    await waitFor(() => mirror.dropNextUpdates === 0, 5_000, 'the update was dropped');
    expect(mirror.seq).toBe(seqAtStart);
    expect(syncs).toEqual([]); // nothing to notice yet

    await busyHall(kiosk, c1, c2); // the next update reveals the gap
    await waitFor(() => mirror.seq === hall.hall.state.seq, 5_000, 'in step again');
    expect(mirror.gaps).toBe(1);
    expect(syncs).toEqual([seqAtStart]); // exactly one hall:sync, sent from the stale state
    expect((await mirror.compareWithServer()).diff).toBe('');
    expect(mirror.outOfOrder).toEqual([]);
  });
});

describe('a kiosk retrying across a dropped connection', () => {
  it('gets the same ticket when the answer was lost after the server committed', async () => {
    await start();
    const display = await client('/display', 'demo-display-1');
    const waiting = () => hall.hall.state.tickets.size;
    const key = idempotencyKey();
    const first = socket('/kiosk', 'demo-kiosk-1');
    await new Promise<void>((r) => first.once('hall:snapshot', () => r()));
    // the command reaches the server, but the kiosk never sees the answer: its connection drops
    first.emit('ticket:issue', { serviceId: 'id-card', idempotencyKey: key });
    await waitFor(() => hall.hall.state.byIdempotencyKey.has(key), 5_000, 'the server committed');
    first.close();
    const committedId = hall.hall.state.byIdempotencyKey.get(key)!;
    expect(waiting()).toBe(1);

    // the kiosk comes back and retries the same key, twice, then over HTTP
    const kiosk = await client('/kiosk', 'demo-kiosk-1');
    const retry1 = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: key }));
    const retry2 = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: key }));
    expect(retry1.ticket.id).toBe(committedId);
    expect(retry2.ticket).toEqual(retry1.ticket);
    const http = await fetch(`${hall.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-1' },
      body: JSON.stringify({ serviceId: 'id-card', idempotencyKey: key }),
    });
    expect(http.status).toBe(201);
    expect(http.headers.get('idempotent-replay')).toBe('true');
    expect(((await http.json()) as IssueTicketResult).ticket.id).toBe(committedId);

    // the same key from another kiosk is a conflict, not a ticket
    const other = await client('/kiosk', 'demo-kiosk-2');
    const conflict = await other.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: key });
    expect(!conflict.ok && conflict.error.code).toBe('IDEMPOTENCY_CONFLICT');

    expect(ticketsWithKey(key)).toBe(1);
    expect(ticketCount()).toBe(1);
    expect(waiting()).toBe(1);
    const sync = okData(await display.command<HallSnapshot>('hall:sync'));
    expect(sync.services.find((s) => s.id === 'id-card')?.waiting).toBe(1);
    expect(sync.seq).toBe(1); // one commit: the replays changed nothing
  });

  it('makes one ticket whether or not the dropped attempt reached the server', async () => {
    await start();
    const keys: string[] = [];
    for (let i = 0; i < 10; i++) {
      const key = idempotencyKey();
      keys.push(key);
      const s = socket('/kiosk', 'demo-kiosk-1');
      await new Promise<void>((r) => s.once('hall:snapshot', () => r()));
      // emit and drop the connection at once: the command may or may not have left the kiosk
      s.emit('ticket:issue', { serviceId: 'passport', idempotencyKey: key }, () => undefined);
      if (i % 2 === 0) s.disconnect();
      else s.io.engine.close();
      s.close();
      const retry = await client('/kiosk', 'demo-kiosk-1');
      const a = okData(await retry.command<IssueTicketResult>('ticket:issue', { serviceId: 'passport', idempotencyKey: key }));
      const b = okData(await retry.command<IssueTicketResult>('ticket:issue', { serviceId: 'passport', idempotencyKey: key }));
      expect(b.ticket.id).toBe(a.ticket.id);
      retry.close();
    }
    // a late copy of a dropped attempt arriving after the retry changes nothing either
    await new Promise((r) => setTimeout(r, 100));
    for (const key of keys) expect(ticketsWithKey(key)).toBe(1);
    expect(ticketCount()).toBe(10);
    expect(hall.hall.state.seq).toBe(10);
  });

  it('a reconnecting kiosk whose transport dies mid-command retries the same key and gets one ticket', async () => {
    await start();
    const kiosk = new ReliableKiosk(hall.url, 'demo-kiosk-1', 'kiosk');
    sockets.push(kiosk.socket);
    await waitFor(() => kiosk.mirror.generation === 1, 5_000, 'kiosk connected');
    for (let i = 0; i < 5; i++) {
      kiosk.onSend = () => {
        kiosk.onSend = null;
        kiosk.socket.io.engine.close(); // the network drops with the command in flight; Socket.IO reconnects
      };
      expect(await kiosk.issueOnce(() => 'consult')).toBe(false);
      await kiosk.settle(5_000); // after reconnecting it sends the same key until answered
    }
    expect(kiosk.stats.retriedKeys.size).toBe(5);
    expect(kiosk.stats.acked).toHaveLength(5);
    expect(kiosk.stats.conflicts).toEqual([]);
    for (const t of kiosk.stats.acked) expect(ticketsWithKey(t.key)).toBe(1);
    expect(ticketCount()).toBe(5);
    expect(kiosk.stats.acked.map((t) => t.number)).toEqual(['L001', 'L002', 'L003', 'L004', 'L005']);
  });
});

describe("a clerk's terminal that dies mid-service", () => {
  for (const stage of ['serving', 'calling'] as const) {
    it(`keeps its ${stage} ticket, which nobody else can take, and resumes after signing in again`, async () => {
      await start();
      const kiosk = await client('/kiosk', 'demo-kiosk-1');
      for (const s of ['id-card', 'id-card', 'social-insurance', 'id-card']) await issue(kiosk, s);
      const terminal = await signedIn(1);
      const called = await act(terminal, 'counter:call-next');
      const ticket = called.ticket!;
      if (stage === 'serving') await act(terminal, 'counter:start');
      terminal.close(); // the terminal dies: no sign-out

      // the hall goes on; other counters never get the ticket
      const c2 = await signedIn(2);
      const c7 = await signedIn(7);
      for (const c of [c2, c7, c2, c7]) {
        tick();
        const r = await c.command<CounterCommandResult>('counter:call-next');
        if (r.ok) {
          expect(r.data.ticket?.id).not.toBe(ticket.id);
          await act(c, 'counter:no-show');
        }
      }
      // nobody else can sign in at the counter, and the clerk cannot be signed in elsewhere
      const intruder = await client('/counter', 'demo-counter-1');
      const refused = await intruder.command('staff:sign-in', { login: 'clerk3', password: 'demo1234' });
      expect(!refused.ok && refused.error.code).toBe('ALREADY_SIGNED_IN');
      intruder.close();
      const elsewhere = await client('/counter', 'demo-counter-3');
      const busy = await elsewhere.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' });
      expect(!busy.ok && busy.error.code).toBe('STAFF_BUSY');

      const display = await client('/display', 'demo-display-1');
      const c1Public = display.snapshot.counters.find((c) => c.id === 'c1')!;
      expect(c1Public.status).toBe(stage);
      expect(c1Public.current?.id).toBe(ticket.id);
      expect(hall.hall.state.tickets.get(ticket.id)!.status).toBe(stage === 'serving' ? 'serving' : 'called');

      // the clerk's terminal comes back
      const back = await client('/counter', 'demo-counter-1');
      expect(back.snapshot.counters.find((c) => c.id === 'c1')).toMatchObject({ status: stage, current: { id: ticket.id } });
      expect(back.snapshot.counter).toBeNull(); // the visitor's details wait for the clerk's sign-in
      const before = await back.command<CounterCommandResult>('counter:complete', { outcome: 'accepted' });
      expect(!before.ok && before.error.code).toBe('NOT_SIGNED_IN');
      const again = okData(await back.command<SignInResult>('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
      expect(again.view.current?.id).toBe(ticket.id);
      if (stage === 'calling') expect((await act(back, 'counter:start')).ticket?.id).toBe(ticket.id);
      const done = await act(back, 'counter:complete', { outcome: 'accepted' });
      expect(done.ticket).toMatchObject({ id: ticket.id, number: ticket.number, status: 'completed' });
      expect(done.view.status).toBe('idle');
      expect(done.view.today.completed).toBe(1);
      await issue(kiosk, 'id-card');
      const next = await act(back, 'counter:call-next');
      expect(next.view.status).toBe('calling');
    });
  }
});
