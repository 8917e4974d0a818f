// 潮汐窗口 over real sockets: a hall manager gives a counter other services for the day (its queue
// grows elsewhere), and the clerk there, the screens and the kiosks' estimates follow at once; a
// restart keeps the change, a reset or the close of the day gives the catalogue's services back.
import BetterSqlite3 from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CounterServicesResult, CounterViewMessage, HallUpdate, IssueTicketResult } from '../../shared/protocol.ts';
import { DEMO_CATALOGUE } from '../../server/demo-hall.ts';
import { hallsPerTest, idempotencyKey, okData, signedInManager } from '../helpers/hall.ts';
import { runCli } from '../helpers/process.ts';

const halls = hallsPerTest();

const C1_CATALOGUE = {
  serviceIds: ['id-card', 'hukou', 'passport', 'social-insurance', 'pension', 'consult'],
  backupServiceIds: ['social-insurance', 'pension', 'consult'],
};

describe('a hall manager changes the services a counter calls for (潮汐窗口)', () => {
  it('the clerk calls for them at once, every screen and the kiosks\' estimates follow, a restart keeps them and a reset gives the catalogue\'s back', async () => {
    const dataDir = halls.dataDir();
    let hall = await halls.start({ dataDir });
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const display = await hall.connect('/display', 'demo-display-1');
    // tax: counters 3 and 4, nobody there; counter 1 does not call for it
    const tax = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'tax', idempotencyKey: idempotencyKey() }));
    expect(tax.ticket.estimatedWaitMinutes).toBeNull();
    expect(await clerk.command('counter:call-next')).toMatchObject({ ok: false, error: { code: 'NO_TICKET_WAITING' } });
    expect(display.snapshot.counters.find((c) => c.id === 'c1')).toMatchObject({ ...C1_CATALOGUE, servicesSetAt: null });

    const manager = await signedInManager(hall);
    const view = clerk.next<CounterViewMessage>('counter:view', (m) => m.view.queue.some((q) => q.id === tax.ticket.id));
    const heard = display.next<HallUpdate>('hall:update', (u) => u.counters.some((c) => c.id === 'c1' && c.servicesSetAt !== null));
    const set = okData(
      await manager.command<CounterServicesResult>('counter:set-services', {
        counterId: 'c1',
        services: [
          { serviceId: 'id-card', level: 'backup' },
          { serviceId: 'tax', level: 'primary' },
        ],
      }),
    );
    expect(set).toEqual({
      counterId: 'c1',
      services: [
        { serviceId: 'id-card', level: 'backup' },
        { serviceId: 'tax', level: 'primary' },
      ],
      servicesSetAt: expect.any(Number),
    });
    expect((await view).view.services).toEqual(set.services);
    expect((await heard).counters.find((c) => c.id === 'c1')).toMatchObject({ serviceIds: ['tax', 'id-card'], backupServiceIds: ['id-card'], servicesSetAt: set.servicesSetAt });
    // a visitor for tax now has a counter open for them, and the clerk calls the one waiting
    const next = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'tax', idempotencyKey: idempotencyKey() }));
    expect(next.ticket.estimatedWaitMinutes).toBe(10); // 1 ahead × 10 minutes ÷ 1 counter open
    expect(okData(await clerk.command<{ ticket: { id: string } }>('counter:call-next')).ticket.id).toBe(tax.ticket.id);
    // the same change again commits nothing
    const seq = hall.hall.state.seq;
    okData(await manager.command('counter:set-services', { counterId: 'c1', services: set.services }));
    expect(hall.hall.state.seq).toBe(seq);

    // the audit trail names the manager and what was set
    const db = new BetterSqlite3(join(dataDir, 'hall.db'), { readonly: true });
    const row = db.prepare("SELECT device_id, staff_id, payload FROM events WHERE type = 'counter.services_set'").get() as { device_id: string; staff_id: string; payload: string };
    expect(row).toMatchObject({ device_id: hall.store.deviceByToken('demo-manager-1')!.id, staff_id: hall.store.staffByLoginName('manager')!.id });
    expect(JSON.parse(row.payload)).toEqual({ counterId: 'c1', services: set.services });
    db.close();

    // a restart keeps it
    await hall.stop();
    hall = await halls.start({ dataDir });
    const display2 = await hall.connect('/display', 'demo-display-1');
    expect(display2.snapshot.counters.find((c) => c.id === 'c1')).toMatchObject({ serviceIds: ['tax', 'id-card'], servicesSetAt: set.servicesSetAt });
    const reset = okData(await (await signedInManager(hall)).command<CounterServicesResult>('counter:reset-services', { counterId: 'c1' }));
    expect(reset).toMatchObject({ counterId: 'c1', servicesSetAt: null });
    expect(reset.services.map((s) => s.serviceId)).toEqual(['id-card', 'hukou', 'passport', 'social-insurance', 'pension', 'consult']);
    expect(hall.store.db.prepare('SELECT count(*) FROM counter_services_set').pluck().get()).toBe(0);
    await hall.stop();
    hall = await halls.start({ dataDir });
    expect((await hall.connect('/display', 'demo-display-1')).snapshot.counters.find((c) => c.id === 'c1')).toMatchObject({ ...C1_CATALOGUE, servicesSetAt: null });
  });

  it('every dashboard sees a change; one made on what another manager has changed since is refused (COUNTER_CHANGED)', async () => {
    const hall = await halls.start();
    const first = await signedInManager(hall);
    const second = await hall.connect('/manager', 'demo-manager-1');
    okData(await second.command('staff:sign-in', { login: 'manager', password: 'demo1234' }));
    const seen = second.next<HallUpdate>('hall:update', (u) => u.counters.some((c) => c.id === 'c2' && c.servicesSetAt !== null));
    const set = okData(await first.command<CounterServicesResult>('counter:set-services', { counterId: 'c2', services: [{ serviceId: 'tax', level: 'primary' }], expectedSetAt: null }));
    expect((await seen).counters.find((c) => c.id === 'c2')).toMatchObject({ serviceIds: ['tax'], backupServiceIds: [], servicesSetAt: set.servicesSetAt });
    // the second manager's dialog was opened on the catalogue's services
    const seq = hall.hall.state.seq;
    expect(await second.command('counter:set-services', { counterId: 'c2', services: [{ serviceId: 'pension', level: 'primary' }], expectedSetAt: null })).toMatchObject({
      ok: false,
      error: { code: 'COUNTER_CHANGED' },
    });
    expect(await second.command('counter:reset-services', { counterId: 'c2', expectedSetAt: null })).toMatchObject({ ok: false, error: { code: 'COUNTER_CHANGED' } });
    expect(hall.hall.state.seq).toBe(seq);
    // on what it shows now, it may
    expect(okData(await second.command<CounterServicesResult>('counter:reset-services', { counterId: 'c2', expectedSetAt: set.servicesSetAt })).servicesSetAt).toBeNull();
  });

  it('a catalogue import ends today\'s changes: after the restart the counters call for what the new catalogue says', async () => {
    const dataDir = halls.dataDir();
    let hall = await halls.start({ dataDir });
    okData(await (await signedInManager(hall)).command('counter:set-services', { counterId: 'c1', services: [{ serviceId: 'tax', level: 'primary' }] }));
    await hall.stop();
    const catalogue = structuredClone(DEMO_CATALOGUE);
    catalogue.counters.find((c) => c.id === 'c1')!.services.push({ serviceId: 'medical-insurance', level: 'backup' });
    const file = join(dataDir, 'catalogue.json');
    writeFileSync(file, JSON.stringify(catalogue));
    const out = runCli(['services', 'import', file, '--data-dir', dataDir]);
    expect(out.stdout).toContain("today's counter changes made on the dashboard end with it");
    hall = await halls.start({ dataDir });
    expect(hall.hall.state.counters.get('c1')).toMatchObject({ servicesSetAt: null, services: catalogue.counters.find((c) => c.id === 'c1')!.services });
    const db = new BetterSqlite3(join(dataDir, 'hall.db'), { readonly: true });
    expect(JSON.parse(db.prepare("SELECT payload FROM events WHERE type = 'catalogue.imported' ORDER BY id DESC").pluck().get() as string)).toMatchObject({ counterServicesReset: 1 });
    db.close();
  });

  it('needs a signed-in manager and services that exist, each named once; refusals change nothing', async () => {
    const hall = await halls.start();
    const watcher = await hall.connect('/manager', 'demo-manager-1');
    const one = [{ serviceId: 'tax', level: 'primary' }];
    expect(await watcher.command('counter:set-services', { counterId: 'c1', services: one })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await watcher.command('counter:reset-services', { counterId: 'c1' })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    expect(await clerk.command('counter:set-services', { counterId: 'c1', services: one })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } }); // not a counter's command
    const manager = await signedInManager(hall);
    const seq = hall.hall.state.seq;
    for (const payload of [
      { counterId: 'c1', services: [] },
      { counterId: 'c1', services: [{ serviceId: 'tax', level: 'primary' }, { serviceId: 'tax', level: 'backup' }] },
      { counterId: 'c1', services: [{ serviceId: 'tax', level: 'main' }] },
      { counterId: 'c1', services: one, extra: 1 },
      { counterId: 'c1' },
    ]) {
      expect(await manager.command('counter:set-services', payload), JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    expect(await manager.command('counter:set-services', { counterId: 'c1', services: [{ serviceId: 'no-such', level: 'primary' }] })).toMatchObject({ ok: false, error: { code: 'SERVICE_NOT_FOUND' } });
    expect(await manager.command('counter:set-services', { counterId: 'c99', services: one })).toMatchObject({ ok: false, error: { code: 'COUNTER_NOT_FOUND' } });
    expect(await manager.command('counter:reset-services', { counterId: 'c99' })).toMatchObject({ ok: false, error: { code: 'COUNTER_NOT_FOUND' } });
    expect(hall.hall.state.seq).toBe(seq);
    expect(hall.hall.state.counters.get('c1')!.servicesSetAt).toBeNull();
  });

  it('a change whose write fails changes nothing, in memory or on disk', async () => {
    const hall = await halls.start();
    const manager = await signedInManager(hall);
    hall.store.db.exec("CREATE TRIGGER set_fails BEFORE INSERT ON counter_services_set BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const seq = hall.hall.state.seq;
    expect(await manager.command('counter:set-services', { counterId: 'c1', services: [{ serviceId: 'tax', level: 'primary' }] })).toMatchObject({
      ok: false,
      error: { code: 'STORE_UNAVAILABLE' },
    });
    expect(hall.hall.state.counters.get('c1')).toMatchObject({ servicesSetAt: null, services: expect.arrayContaining([{ serviceId: 'id-card', level: 'primary' }]) });
    expect(hall.hall.state.counters.get('c1')!.levels.has('tax')).toBe(false);
    expect(hall.hall.state.seq).toBe(seq);
    expect(hall.store.db.prepare("SELECT count(*) FROM events WHERE type = 'counter.services_set'").pluck().get()).toBe(0);
    hall.store.db.exec('DROP TRIGGER set_fails');
    okData(await manager.command('counter:set-services', { counterId: 'c1', services: [{ serviceId: 'tax', level: 'primary' }] }));
  });

  it('ends at the close of the day, also when the server was down over midnight', async () => {
    const dataDir = halls.dataDir();
    let now = Date.UTC(2026, 10, 23, 15, 58, 0); // 23:58 in Shanghai
    let hall = await halls.start({ dataDir, clock: () => now });
    okData(await (await signedInManager(hall)).command('counter:set-services', { counterId: 'c1', services: [{ serviceId: 'tax', level: 'primary' }] }));
    await hall.stop();
    now += 5 * 60_000; // 00:03: the server starts on the next day
    hall = await halls.start({ dataDir, clock: () => now });
    const display = await hall.connect('/display', 'demo-display-1');
    expect(display.snapshot.counters.find((c) => c.id === 'c1')).toMatchObject({ ...C1_CATALOGUE, servicesSetAt: null });
    expect(hall.store.db.prepare('SELECT count(*) FROM counter_services_set').pluck().get()).toBe(0);
    expect(hall.store.db.prepare("SELECT count(*) FROM events WHERE type = 'counter.services_set'").pluck().get()).toBe(2);
  });
});
