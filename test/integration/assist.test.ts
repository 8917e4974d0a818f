// 呼叫帮办 over real sockets: a kiosk's request for help stays open on every dashboard, including one
// that connects later or after a restart, until a hall manager takes it; the kiosk is then told.
import { describe, expect, it } from 'vitest';
import type { AssistHandledMessage, AssistRequestView, HallSnapshot } from '../../shared/protocol.ts';
import { PROTOCOL_VERSION, TAKEN_ASSISTS_SHOWN } from '../../shared/protocol.ts';
import { clientFor, idempotencyKey, okData, signedInManager, hallsPerTest, type TestHall } from '../helpers/hall.ts';

const halls = hallsPerTest();

/** A dashboard's connection, with the list of requests it is sent on connecting (right after its snapshot). */
async function dashboard(h: TestHall): Promise<{ requests: AssistRequestView[]; close: () => void }> {
  const socket = clientFor(h.url, '/manager', { token: 'demo-manager-1', protocolVersion: PROTOCOL_VERSION });
  const snapshot = new Promise<HallSnapshot>((resolve) => socket.once('hall:snapshot', resolve));
  const requests = new Promise<AssistRequestView[]>((resolve) => socket.once('hall:assists', resolve));
  await snapshot;
  const list = await requests;
  return { requests: list, close: () => socket.close() };
}

describe('呼叫帮办 requests', () => {
  it('stay open on every dashboard until a manager takes them; the kiosk that asked is told who is coming', async () => {
    const hall = await halls.start();
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const watcher = await hall.connect('/manager', 'demo-manager-1'); // not signed in: it watches
    const made = watcher.next<AssistRequestView>('hall:assist');
    const { requestId } = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', { reason: 'elderly' }));
    expect(await made).toMatchObject({ id: requestId, deviceName: '大厅取号机 1', reason: 'elderly', times: 1, handled: null });

    // the visitor presses again: the same request, asked twice
    const again = watcher.next<AssistRequestView>('hall:assist', (r) => r.times === 2);
    expect(okData(await kiosk.command<{ requestId: string }>('kiosk:assist', { reason: 'elderly' })).requestId).toBe(requestId);
    const asked = await again;
    expect(asked.id).toBe(requestId);
    expect(asked.lastAt).toBeGreaterThanOrEqual(asked.at);

    // a dashboard opened later sees it
    const late = await dashboard(hall);
    expect(late.requests).toEqual([asked]);
    late.close();

    const manager = await signedInManager(hall);
    const managerName = hall.store.staffByLoginName('manager')!.name;
    const taken = watcher.next<AssistRequestView>('hall:assist', (r) => r.handled !== null);
    const told = kiosk.next<AssistHandledMessage>('kiosk:assist-handled');
    const handled = okData(await manager.command<AssistRequestView>('assist:handle', { requestId }));
    expect(handled).toMatchObject({ id: requestId, times: 2, handled: { staffId: hall.store.staffByLoginName('manager')!.id, staffName: managerName } });
    expect(await taken).toEqual(handled);
    expect(await told).toEqual({ requestId, staffName: managerName });

    // the same manager asking again (its answer lost) is answered as it stands; a request that is not there changes nothing
    expect(okData(await manager.command<AssistRequestView>('assist:handle', { requestId }))).toEqual(handled);
    expect(await manager.command('assist:handle', { requestId: 'no-such-request' })).toMatchObject({ ok: false, error: { code: 'ASSIST_NOT_FOUND' } });
    expect((await dashboard(hall)).requests).toEqual([handled]);

    // the next press after it was taken is a new request
    expect(okData(await kiosk.command<{ requestId: string }>('kiosk:assist')).requestId).not.toBe(requestId);
  });

  it('are taken by one manager only when two tap at once; only the kiosk that asked is told', async () => {
    const hall = await halls.start();
    const asking = await hall.connect('/kiosk', 'demo-kiosk-1');
    const other = await hall.connect('/kiosk', 'demo-kiosk-2');
    let otherTold = 0;
    other.socket.on('kiosk:assist-handled', () => otherTold++);
    const { requestId } = okData(await asking.command<{ requestId: string }>('kiosk:assist', {}));
    const one = await signedInManager(hall);
    hall.store.addStaff({ login: 'deputy', name: '吴副主任', password: 'demo1234', role: 'manager' }, Date.now());
    const deputy = await hall.connect('/manager', 'demo-manager-1');
    okData(await deputy.command('staff:sign-in', { login: 'deputy', password: 'demo1234' }));
    const told = asking.next('kiosk:assist-handled');
    const answers = await Promise.all([one.command<AssistRequestView>('assist:handle', { requestId }), deputy.command<AssistRequestView>('assist:handle', { requestId })]);
    const won = answers.filter((a) => a.ok);
    expect(won).toHaveLength(1);
    expect(answers.find((a) => !a.ok)).toMatchObject({ ok: false, error: { code: 'ASSIST_ALREADY_HANDLED' } });
    await told;
    // the other kiosk's sync answer comes after anything sent to it before
    okData(await other.command('hall:sync'));
    expect(otherTold).toBe(0);
  });

  it('list every open request and the 5 taken last, whenever they were asked', async () => {
    let now = Date.UTC(2026, 10, 24, 1, 0, 0); // 09:00 in Shanghai
    const hall = await halls.start({ clock: () => now });
    const device = hall.store.deviceByToken('demo-kiosk-1')!;
    const staffId = hall.store.staffByLoginName('manager')!.id;
    const desk = hall.hall.assists;
    const first = desk.request(device, 'help', now);
    if (!first.ok) throw new Error(first.error.code);
    // 6 requests taken one by one (a kiosk holds one open request), then the first one, asked before them all
    const taken: string[] = [];
    for (let i = 0; i < TAKEN_ASSISTS_SHOWN + 1; i++) {
      now += 60_000;
      const other = desk.request({ ...device, id: `kiosk-${i}` }, null, now);
      if (!other.ok) throw new Error(other.error.code);
      now += 1_000;
      expect(desk.handle(other.request.id, staffId, now).ok).toBe(true);
      taken.push(other.request.id);
    }
    now += 60_000;
    expect(desk.handle(first.request.id, staffId, now).ok).toBe(true);
    const still = desk.request({ ...device, id: 'kiosk-open' }, 'elderly', now);
    if (!still.ok) throw new Error(still.error.code);
    const listed = desk.list().map((r) => r.id);
    // oldest first: the first request (taken last), the 4 others taken last (the 2 taken first drop out), the open one
    expect(listed).toEqual([first.request.id, ...taken.slice(2), still.request.id]);
  });

  it('tell a kiosk that was offline when its request was taken, if it comes back within 2 minutes', async () => {
    let now = Date.UTC(2026, 10, 24, 1, 0, 0);
    const hall = await halls.start({ clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const { requestId } = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', {}));
    kiosk.close(); // its Wi-Fi drops
    okData(await (await signedInManager(hall)).command('assist:handle', { requestId }));
    /** what a kiosk connecting now is told about its request (null: nothing) */
    const toldOnConnect = async (): Promise<AssistHandledMessage | null> => {
      const socket = clientFor(hall.url, '/kiosk', { token: 'demo-kiosk-1', protocolVersion: PROTOCOL_VERSION });
      let told: AssistHandledMessage | null = null;
      socket.on('kiosk:assist-handled', (m: AssistHandledMessage) => (told = m));
      await new Promise((resolve) => socket.once('hall:snapshot', resolve));
      await new Promise((resolve) => socket.emit('hall:sync', resolve)); // anything sent on connecting came before this answer
      socket.close();
      return told;
    };
    now += 60_000;
    expect(await toldOnConnect()).toEqual({ requestId, staffName: '周主任' });
    now += 2 * 60_000; // the visitor has long been helped, or gone
    expect(await toldOnConnect()).toBeNull();
  });

  it('survive a restart: open and taken ones alike', async () => {
    const dataDir = halls.dataDir();
    let hall = await halls.start({ dataDir });
    const kiosk1 = await hall.connect('/kiosk', 'demo-kiosk-1');
    const kiosk2 = await hall.connect('/kiosk', 'demo-kiosk-2');
    const first = okData(await kiosk1.command<{ requestId: string }>('kiosk:assist', { reason: 'disabled' })).requestId;
    const second = okData(await kiosk2.command<{ requestId: string }>('kiosk:assist', {})).requestId;
    const manager = await signedInManager(hall);
    okData(await manager.command('assist:handle', { requestId: first }));
    const before = (await dashboard(hall)).requests;
    expect(before.map((r) => [r.id, r.handled !== null])).toEqual([
      [first, true],
      [second, false],
    ]);
    await hall.stop();

    hall = await halls.start({ dataDir });
    expect((await dashboard(hall)).requests).toEqual(before);
    // the open one can still be taken, and the kiosk's next press asks in it
    const kiosk2Again = await hall.connect('/kiosk', 'demo-kiosk-2');
    expect(okData(await kiosk2Again.command<{ requestId: string }>('kiosk:assist', {})).requestId).toBe(second);
    const manager2 = await signedInManager(hall);
    expect(okData(await manager2.command<AssistRequestView>('assist:handle', { requestId: second })).times).toBe(2);
  });

  it("start empty on a new business day: yesterday's open requests are no one's to take", async () => {
    let now = Date.UTC(2026, 10, 23, 15, 59, 0); // 23:59 in Shanghai
    const hall = await halls.start({ clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const yesterday = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', {})).requestId;
    const manager = await signedInManager(hall);
    now += 2 * 60_000; // 00:01
    // the first press of the new day turns it over: the dashboards' list is replaced by the new day's
    const newList = manager.next<AssistRequestView[]>('hall:assists');
    const today = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', {})).requestId;
    expect(today).not.toBe(yesterday);
    expect((await newList).map((r) => r.id)).toEqual([today]);
    expect(await manager.command('assist:handle', { requestId: yesterday })).toMatchObject({ ok: false, error: { code: 'ASSIST_NOT_FOUND' } });
    expect((await dashboard(hall)).requests.map((r) => r.id)).toEqual([today]);
  });

  it("turn over with the day when a manager's take is the day's first command", async () => {
    let now = Date.UTC(2026, 10, 23, 15, 59, 0);
    const hall = await halls.start({ clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const yesterday = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', {})).requestId;
    const manager = await signedInManager(hall);
    now += 2 * 60_000;
    const newList = manager.next<AssistRequestView[]>('hall:assists');
    expect(await manager.command('assist:handle', { requestId: yesterday })).toMatchObject({ ok: false, error: { code: 'ASSIST_NOT_FOUND' } });
    expect(await newList).toEqual([]);
  });

  it('are refused while the previous day cannot be closed (nothing is filed under a day the hall is not on), and work once it is', async () => {
    let now = Date.UTC(2026, 10, 23, 15, 59, 0);
    const hall = await halls.start({ clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'consult', idempotencyKey: idempotencyKey() })); // left open: the close must cancel it
    const yesterday = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', {})).requestId;
    const manager = await signedInManager(hall);
    hall.store.db.exec('ALTER TABLE events RENAME TO events_gone'); // the close-day cannot be written
    now += 2 * 60_000;
    expect(await kiosk.command('kiosk:assist', {})).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    expect(await manager.command('assist:handle', { requestId: yesterday })).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    hall.store.db.exec('ALTER TABLE events_gone RENAME TO events');
    const today = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', {})).requestId;
    expect(today).not.toBe(yesterday);
    expect(hall.store.db.prepare('SELECT business_date FROM assist_requests WHERE id = ?').pluck().get(today)).toBe('2026-11-24');
  });

  it('a request that cannot be written is refused with STORE_UNAVAILABLE, and no dashboard hears of it', async () => {
    const hall = await halls.start();
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const watcher = await hall.connect('/manager', 'demo-manager-1');
    let heard = 0;
    watcher.socket.on('hall:assist', () => heard++);
    // the table goes away under the server (as a disk going bad would make every write fail)
    hall.store.db.exec('ALTER TABLE assist_requests RENAME TO assist_requests_gone');
    expect(await kiosk.command('kiosk:assist', {})).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    hall.store.db.exec('ALTER TABLE assist_requests_gone RENAME TO assist_requests');
    expect(hall.hall.assists.list()).toEqual([]);
    // the next one works, and is the only one the dashboard heard of
    const made = watcher.next<AssistRequestView>('hall:assist');
    const { requestId } = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', {}));
    expect((await made).id).toBe(requestId);
    expect(heard).toBe(1);
  });
});
