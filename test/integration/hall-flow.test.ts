// A kiosk issues, a clerk calls, the display hears it: the hall's main path over real sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CallView,
  CounterCommandResult,
  CounterViewMessage,
  HallUpdate,
  IssueTicketResult,
  SignInResult,
} from '../../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';

let hall: TestHall;
let kiosk: TestClient;
let display: TestClient;
let counter1: TestClient;

beforeAll(async () => {
  hall = await startTestHall();
  kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
  display = await hall.connect('/display', 'demo-display-1');
  counter1 = await hall.connect('/counter', 'demo-counter-1');
});

afterAll(async () => {
  await hall.stop();
});

describe('the main path', () => {
  it('sends a full snapshot on connect', () => {
    expect(display.snapshot.services).toHaveLength(12);
    expect(display.snapshot.counters).toHaveLength(8);
    expect(display.snapshot.seq).toBe(0);
    expect(display.snapshot.counter).toBeNull();
    expect(display.snapshot.counterId).toBeNull();
    expect(counter1.snapshot.counterId).toBe('c1');
    expect(counter1.snapshot.counters.find((c) => c.id === 'c1')?.status).toBe('signed_out');
    expect(counter1.snapshot.counter).toBeNull(); // its own view comes once a clerk signs in on it
  });

  it('kiosk issues → clerk calls → display receives hall:called', async () => {
    const update = display.next<HallUpdate>('hall:update');
    const issued = okData(
      await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }),
    );
    expect(issued.ticket.number).toBe('A001');
    expect(issued.ticket.position).toBe(1);
    expect(issued.ticket.trackingToken).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    const u = await update;
    expect(u.seq).toBe(1);
    expect(u.services.find((s) => s.id === 'id-card')?.waiting).toBe(1);

    const signedIn = okData(await counter1.command<SignInResult>('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect(signedIn.staff.name).toBe('王丽');
    expect(signedIn.view.status).toBe('idle');
    expect(signedIn.view.queue.map((q) => q.number)).toEqual(['A001']);

    const called = display.next<CallView>('hall:called');
    const result = okData(await counter1.command<CounterCommandResult>('counter:call-next'));
    expect(result.ticket?.number).toBe('A001');
    expect(result.ticket?.chosenBy).toBe('primary');
    const call = await called;
    expect(call).toMatchObject({
      ticket: { id: issued.ticket.id, number: 'A001', serviceId: 'id-card' },
      counter: { id: 'c1', number: 1, name: '综合窗口' },
      recall: false,
    });
    expect(call.seq).toBe(3);

    const recalled = display.next<CallView>('hall:called');
    okData(await counter1.command('counter:recall'));
    expect(await recalled).toMatchObject({ recall: true, recallCount: 1, ticket: { number: 'A001' } });

    okData(await counter1.command('counter:start'));
    const done = okData(await counter1.command<CounterCommandResult>('counter:complete', { outcome: 'concluded' }));
    expect(done.ticket?.status).toBe('completed');
    expect(done.view.today).toMatchObject({ called: 1, completed: 1 });
  });

  it('tells the counter its new view when a ticket for its services arrives', async () => {
    const view = counter1.next<CounterViewMessage>('counter:view', (m) => m.view.queue.some((q) => q.serviceId === 'passport'));
    okData(await kiosk.command('ticket:issue', { serviceId: 'passport', idempotencyKey: idempotencyKey() }));
    const m = await view;
    expect(m.view.queue.map((q) => q.number)).toContain('C001');
  });

  it('numbers every broadcast with the hall seq: one update per commit on /counter, merged updates that cover every commit once elsewhere', async () => {
    const startSeq = hall.hall.state.seq;
    const onDisplay: HallUpdate[] = [];
    const onCounter: HallUpdate[] = [];
    const d = (u: HallUpdate) => u.seq > startSeq && onDisplay.push(u);
    const c = (u: HallUpdate) => u.seq > startSeq && onCounter.push(u);
    display.socket.on('hall:update', d);
    counter1.socket.on('hall:update', c);
    const last = display.next<HallUpdate>('hall:update', (u) => u.seq === startSeq + 5);
    const lastAtCounter = counter1.next<HallUpdate>('hall:update', (u) => u.seq === startSeq + 5);
    // five commits at once: the display's updates may be merged, the counter's are not
    await Promise.all(Array.from({ length: 5 }, () => kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() })));
    const merged = await last;
    await lastAtCounter;
    display.socket.off('hall:update', d);
    counter1.socket.off('hall:update', c);
    expect(onCounter.map((u) => [u.fromSeq, u.seq])).toEqual([1, 2, 3, 4, 5].map((i) => [startSeq + i, startSeq + i]));
    expect(onDisplay.length).toBeLessThanOrEqual(5);
    expect(onDisplay[0]!.fromSeq).toBeLessThanOrEqual(startSeq + 1); // it may also cover commits held from before
    for (let i = 1; i < onDisplay.length; i++) expect(onDisplay[i]!.fromSeq).toBe(onDisplay[i - 1]!.seq + 1);
    const waiting = (u: HallUpdate) => u.services.find((s) => s.id === 'consult')?.waiting;
    expect(waiting(merged)).toBe(waiting(onCounter.at(-1)!));
    expect(waiting(merged)).toBeGreaterThanOrEqual(5);
  });

  it('answers hall:sync with a fresh snapshot at the current seq', async () => {
    const ack = await display.command<{ seq: number }>('hall:sync');
    expect(okData(ack).seq).toBe(hall.hall.state.seq);
  });

  it('a retried issue with the same idempotency key returns the same ticket', async () => {
    const key = idempotencyKey();
    const a = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'tax', idempotencyKey: key }));
    const seq = hall.hall.state.seq;
    const b = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'tax', idempotencyKey: key }));
    expect(b.ticket.id).toBe(a.ticket.id);
    expect(b.ticket.number).toBe(a.ticket.number);
    expect(hall.hall.state.seq).toBe(seq);
  });

  it('a kiosk assistance request reaches the managers', async () => {
    const manager = await hall.connect('/manager', 'demo-manager-1');
    const assist = manager.next<{ deviceName: string; reason: string | null }>('hall:assist');
    const ack = await kiosk.command<{ requestId: string }>('kiosk:assist', { reason: 'elderly' });
    expect(okData(ack).requestId).toBeTruthy();
    expect(await assist).toMatchObject({ deviceName: '大厅取号机 1', reason: 'elderly' });
  });
});
