// A hall manager stops the kiosks issuing for a service (its system is down, the day's capacity is
// reached) and starts it again, over real sockets and HTTP: every screen hears it, the kiosks are
// refused with the reason, visitors already waiting are still called, and a restart keeps it.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HallSnapshot, HallUpdate, IssueTicketResult, IssuingResult } from '../../shared/protocol.ts';
import { idempotencyKey, okData, signedInManager, hallsPerTest, type TestHall } from '../helpers/hall.ts';

const halls = hallsPerTest();

const availabilityOf = (u: HallUpdate, serviceId: string) => u.services.find((s) => s.id === serviceId)?.availability;

describe('pausing issuing for a service', () => {
  it('refuses the kiosks with the reason, still calls the visitors waiting, and survives a restart until resumed', async () => {
    const dataDir = halls.dataDir();
    let hall = await halls.start({ dataDir });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const waiting = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));

    const manager = await signedInManager(hall);
    const heard = kiosk.next<HallUpdate>('hall:update', (u) => availabilityOf(u, 'id-card')?.reason === 'ISSUING_PAUSED');
    const paused = okData(await manager.command<IssuingResult>('service:pause-issuing', { serviceId: 'id-card', reason: '系统维护' }));
    expect(paused).toEqual({ serviceId: 'id-card', availability: { issuing: false, reason: 'ISSUING_PAUSED', remainingQuota: null, pauseReason: '系统维护' } });
    expect(availabilityOf(await heard, 'id-card')).toEqual(paused.availability);

    // the kiosks are refused, over the socket and over HTTP, and nothing is issued
    const seq = hall.hall.state.seq;
    expect(await kiosk.command('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() })).toMatchObject({
      ok: false,
      error: { code: 'ISSUING_PAUSED', message: '该事项已暂停取号（系统维护）' },
    });
    const http = await fetch(`${hall.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-2' },
      body: JSON.stringify({ serviceId: 'id-card', idempotencyKey: idempotencyKey() }),
    });
    expect(await http.json()).toMatchObject({ error: { code: 'ISSUING_PAUSED' } });
    expect(hall.hall.state.seq).toBe(seq);
    // other services issue; the visitor already waiting is called
    okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'tax', idempotencyKey: idempotencyKey() }));
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect(okData(await clerk.command<{ ticket: { id: string } }>('counter:call-next')).ticket.id).toBe(waiting.ticket.id);

    // the audit trail names the manager
    const db = new BetterSqlite3(join(dataDir, 'hall.db'), { readonly: true });
    expect(db.prepare("SELECT device_id, staff_id FROM events WHERE type = 'service.issuing_paused'").get()).toEqual({
      device_id: hall.store.deviceByToken('demo-manager-1')!.id,
      staff_id: hall.store.staffByLoginName('manager')!.id,
    });
    db.close();

    await hall.stop();
    hall = await halls.start({ dataDir });
    const kioskAgain = await hall.connect('/kiosk', 'demo-kiosk-1');
    expect(kioskAgain.snapshot.services.find((s) => s.id === 'id-card')?.availability).toEqual(paused.availability);
    const manager2 = await signedInManager(hall);
    const resumed = okData(await manager2.command<IssuingResult>('service:resume-issuing', { serviceId: 'id-card' }));
    expect(resumed.availability).toEqual({ issuing: true, reason: null, remainingQuota: null });
    expect(okData(await kioskAgain.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() })).ticket.number).toBe('A002');
  });

  it('needs a signed-in manager and a reason that is no personal number; refusals change nothing', async () => {
    const hall = await halls.start();
    const watcher = await hall.connect('/manager', 'demo-manager-1');
    expect(await watcher.command('service:pause-issuing', { serviceId: 'id-card', reason: '系统维护' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    const manager = await signedInManager(hall);
    const seq = hall.hall.state.seq;
    for (const reason of ['', ' ', 'x'.repeat(61), '请联系13800138000']) {
      expect(await manager.command('service:pause-issuing', { serviceId: 'id-card', reason }), reason).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    expect(await manager.command('service:pause-issuing', { serviceId: 'no-such', reason: '系统维护' })).toMatchObject({ ok: false, error: { code: 'SERVICE_NOT_FOUND' } });
    expect(await manager.command('service:resume-issuing', { serviceId: 'id-card' })).toMatchObject({ ok: false, error: { code: 'ISSUING_NOT_PAUSED' } });
    expect(hall.hall.state.seq).toBe(seq);
    okData(await manager.command('service:pause-issuing', { serviceId: 'id-card', reason: '系统维护' }));
    expect(await manager.command('service:pause-issuing', { serviceId: 'id-card', reason: '又一次' })).toMatchObject({ ok: false, error: { code: 'ISSUING_ALREADY_PAUSED' } });
    expect(hall.hall.state.seq).toBe(seq + 1);
  });

  it('a pause whose write fails changes nothing, in memory or on disk', async () => {
    const hall = await halls.start();
    const manager = await signedInManager(hall);
    hall.store.db.exec("CREATE TRIGGER pause_fails BEFORE INSERT ON service_issuing_pauses BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const seq = hall.hall.state.seq;
    expect(await manager.command('service:pause-issuing', { serviceId: 'id-card', reason: '系统维护' })).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    expect(hall.hall.state.issuingPauses.size).toBe(0);
    expect(hall.hall.state.seq).toBe(seq);
    expect(hall.store.db.prepare("SELECT count(*) FROM events WHERE type = 'service.issuing_paused'").pluck().get()).toBe(0);
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    okData(await kiosk.command('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));
    hall.store.db.exec('DROP TRIGGER pause_fails');
    okData(await manager.command('service:pause-issuing', { serviceId: 'id-card', reason: '系统维护' }));
  });

  it('ends at the close of the day, also when the server was down over midnight', async () => {
    const dataDir = halls.dataDir();
    let now = Date.UTC(2026, 10, 23, 15, 58, 0); // 23:58 in Shanghai
    let hall = await halls.start({ dataDir, clock: () => now });
    const manager = await signedInManager(hall);
    okData(await manager.command('service:pause-issuing', { serviceId: 'id-card', reason: '今日受理量已满' }));
    await hall.stop();
    now += 5 * 60_000; // 00:03: the server starts on the next day
    hall = await halls.start({ dataDir, clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    expect(kiosk.snapshot.services.find((s) => s.id === 'id-card')?.availability).toEqual({ issuing: true, reason: null, remainingQuota: null });
    expect(okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() })).ticket.number).toBe('A001');
    expect(hall.store.db.prepare('SELECT count(*) FROM service_issuing_pauses').pluck().get()).toBe(0);
    expect(hall.store.db.prepare("SELECT count(*) FROM events WHERE type = 'service.issuing_resumed'").pluck().get()).toBe(1);
  });

  it('a close written late, after a start past midnight, tells the screens connected meanwhile', async () => {
    const dataDir = halls.dataDir();
    let now = Date.UTC(2026, 10, 23, 15, 58, 0); // 23:58 in Shanghai
    let hall = await halls.start({ dataDir, clock: () => now });
    okData(await (await signedInManager(hall)).command('service:pause-issuing', { serviceId: 'id-card', reason: '今日受理量已满' }));
    await hall.stop();
    // the disk refuses writes for a while: the server starts at 00:03 and cannot write yesterday's close
    const db = new BetterSqlite3(join(dataDir, 'hall.db'));
    db.exec(`CREATE TABLE refuse_writes (x INTEGER); INSERT INTO refuse_writes VALUES (1);
      CREATE TRIGGER refuse_events BEFORE INSERT ON events WHEN EXISTS (SELECT 1 FROM refuse_writes) BEGIN SELECT RAISE(ABORT, 'disk'); END;`);
    db.close();
    now += 5 * 60_000;
    hall = await halls.start({ dataDir, clock: () => now });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    expect(kiosk.snapshot.services.find((s) => s.id === 'id-card')?.availability.reason).toBe('ISSUING_PAUSED'); // yesterday's, not closed
    hall.store.db.exec('DELETE FROM refuse_writes');
    // the next thing that turns the day (here a request for help, which commits nothing else) writes the close,
    // and every screen gets a fresh snapshot without the pause
    const fresh = kiosk.next<HallSnapshot>('hall:snapshot', (s) => s.services.find((x) => x.id === 'id-card')?.availability.issuing === true);
    okData(await kiosk.command('kiosk:assist', {}));
    await fresh;
  });
});
