// 大厅管理 in Chromium: the dashboard shows the counters and a kiosk's 呼叫帮办, takes a hall manager's
// sign-in (not a clerk's), and releases a counter whose terminal died with a visitor called there.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterCommandResult, IssueTicketResult } from '../../shared/protocol.ts';
import { connectClient, idempotencyKey, okData } from '../helpers/hall.ts';
import { ensurePagesBuilt, launchChromium, openScreen, screenshot, startTestServer, type TestHallServer } from './harness.ts';

let hall: TestHallServer;
let browser: Browser;

beforeAll(async () => {
  await ensurePagesBuilt();
  hall = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hall?.dispose();
});

describe('manager dashboard', () => {
  it('releases a counter whose terminal died with a visitor called: the visitor goes back to the queue, the counter shows 未登录', async () => {
    const url = hall.server.url;
    const kiosk = await connectClient(url, '/kiosk', 'demo-kiosk-1');
    const issued = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));
    const terminal = await connectClient(url, '/counter', 'demo-counter-1');
    okData(await terminal.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    expect(okData(await terminal.command<CounterCommandResult>('counter:call-next')).ticket?.number).toBe(issued.ticket.number);
    terminal.close(); // the terminal dies with the visitor called
    // a visitor at another kiosk asked for help before the dashboard was opened
    const kiosk2 = await connectClient(url, '/kiosk', 'demo-kiosk-2');
    const earlier = okData(await kiosk2.command<{ requestId: string }>('kiosk:assist', { reason: 'help' }));

    const { page, context } = await openScreen(browser, url, { role: 'manager', token: 'demo-manager-1', path: '/manager/', viewport: { width: 1440, height: 900 } });
    try {
      const row = page.getByTestId('counter-row-1');
      await expect.poll(() => row.locator('.status-pill').textContent(), { timeout: 10_000 }).toBe('呼叫中');
      expect(await row.locator('.manager__ticket').textContent()).toBe(issued.ticket.number);
      expect(await page.getByTestId('since-1').textContent()).toMatch(/^0:\d\d$/); // calling for under a minute
      // today's figures: one ticket issued, and it is being called
      await expect.poll(() => page.getByTestId('today-panel').locator('.manager__today-issued').textContent(), { timeout: 10_000 }).toBe('今日取号 1 张，其中：');
      expect(await page.getByTestId('today-parts').textContent()).toContain('呼叫中 1');
      expect(await page.getByTestId('today-mean-wait').textContent()).toMatch(/^0:0\d$/); // called within seconds of its issue
      const release = row.getByRole('button', { name: '释放 1 号窗口' });
      expect(await release.isDisabled()).toBe(true); // watching needs no sign-in; acting does

      // the request made before the page opened is there; a visitor at a kiosk asks for help now: it shows too
      const kiosk2Id = hall.server.store.deviceByToken('demo-kiosk-2')!.id;
      await expect.poll(() => page.getByTestId(`assist-${kiosk2Id}`).textContent(), { timeout: 10_000 }).toContain('需要帮助');
      okData(await kiosk.command('kiosk:assist', { reason: 'elderly' }));
      await expect.poll(() => page.getByTestId('assist-list').textContent(), { timeout: 10_000 }).toContain('老年人需要协助');
      expect(await page.locator('#assist-title').textContent()).toBe('呼叫帮办：2 条待处理');
      const take = page.getByRole('button', { name: '前往大厅取号机 2处理求助' });
      expect(await take.isDisabled()).toBe(true); // taking one needs a manager's sign-in
      expect(await page.getByTestId('assist-panel').textContent()).toContain('管理员登录后可以接手求助。');

      // a clerk's account is not a manager's
      await page.getByLabel('账号').fill('clerk2');
      await page.getByLabel('密码').fill('demo1234');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 10_000 }).toBe('该账号不是大厅管理员账号');

      await page.getByLabel('账号').fill('manager');
      await page.getByLabel('密码').fill('demo1234');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await expect.poll(() => page.getByTestId('manager-who').textContent(), { timeout: 10_000 }).toBe('管理员：周主任');
      await expect.poll(() => release.isDisabled(), { timeout: 10_000 }).toBe(false);

      // the manager takes the earlier request: it moves to 已接手 on every dashboard, and the kiosk that asked is told
      const told = kiosk2.next<{ requestId: string; staffName: string }>('kiosk:assist-handled');
      await take.click();
      expect(await told).toEqual({ requestId: earlier.requestId, staffName: '周主任' });
      await expect.poll(() => page.getByTestId('manager-notice').textContent(), { timeout: 10_000 }).toBe('已接手大厅取号机 2的求助，取号机上已告知访客有人正在赶来。');
      expect(await page.locator('#assist-title').textContent()).toBe('呼叫帮办：1 条待处理');
      expect(await page.getByTestId('assist-taken').textContent()).toMatch(/大厅取号机 2 由 周主任 于 \d\d:\d\d 接手/);
      await screenshot(page, 'manager-assist');

      // the passport system is down: the manager pauses issuing for it; the kiosks hear it and are refused with the reason
      const passport = page.getByTestId('service-passport');
      await passport.getByRole('button', { name: /^暂停 .* 取号$/ }).click();
      await page.getByRole('dialog').getByRole('button', { name: '业务系统故障' }).click();
      await expect.poll(() => page.getByTestId('manager-notice').textContent(), { timeout: 10_000 }).toMatch(/^已暂停「.*」取号（业务系统故障）。取号机已显示暂停。$/);
      expect(await page.getByRole('dialog').count()).toBe(0);
      expect(await passport.textContent()).toContain('已暂停取号：业务系统故障');
      expect(await kiosk.command('ticket:issue', { serviceId: 'passport', idempotencyKey: idempotencyKey() })).toMatchObject({ ok: false, error: { code: 'ISSUING_PAUSED' } });
      await screenshot(page, 'manager-issuing-paused');
      await passport.getByRole('button', { name: /^恢复 .* 取号$/ }).click();
      await expect.poll(() => page.getByTestId('manager-notice').textContent(), { timeout: 10_000 }).toMatch(/^已恢复「.*」取号。$/);
      expect(await passport.textContent()).not.toContain('已暂停取号');
      expect(hall.server.hall.state.issuingPauses.size).toBe(0);

      // the connection drops (a Wi-Fi blip): the dashboard reconnects and continues the sign-in by itself
      const managerSockets = () => [...hall.server.realtime.io.of('/manager').sockets.values()];
      const before = managerSockets();
      expect(before).toHaveLength(1);
      const { id: oldSocket, data: { sessionId: session } } = before[0]!;
      expect(session).not.toBeNull();
      before[0]!.conn.close(); // the transport closes: the page reconnects by itself (a server-side disconnect would not)
      await expect.poll(() => managerSockets().filter((s) => s.id !== oldSocket && s.data.sessionId === session).length, { timeout: 10_000 }).toBe(1);
      await expect.poll(() => release.isDisabled(), { timeout: 10_000 }).toBe(false);
      expect(await page.getByTestId('manager-who').textContent()).toBe('管理员：周主任');

      await release.click();
      const dialog = page.getByTestId('release-dialog');
      await dialog.waitFor({ timeout: 10_000 });
      expect(await dialog.textContent()).toContain(`${issued.ticket.number} 号（呼叫中）将：`);
      await screenshot(page, 'manager-release-dialog');
      // the hall goes on while the dialog is open: an update does not pull the focus away from the manager's choice
      await dialog.locator('select').focus();
      okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));
      await expect.poll(() => page.locator('#queue-title').textContent(), { timeout: 10_000 }).toBe('等候人数：共 1 人'); // the called visitor is not waiting
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SELECT');
      await page.getByRole('button', { name: '确认释放' }).click();

      await expect.poll(() => page.getByTestId('manager-notice').textContent(), { timeout: 10_000 }).toBe(`已释放 1 号窗口，${issued.ticket.number} 号已回到等候队列（保留原排队时间）。`);
      await expect.poll(() => row.locator('.status-pill').textContent(), { timeout: 10_000 }).toBe('未登录');
      expect(await row.getByRole('button', { name: '释放 1 号窗口' }).count()).toBe(0);
      // today's figures follow the hall: two waiting now (A001 back in the queue, and the one issued meanwhile)
      await expect.poll(() => page.getByTestId('today-panel').locator('.manager__today-issued').textContent(), { timeout: 10_000 }).toBe('今日取号 2 张，其中：');
      await expect.poll(() => page.getByTestId('today-parts').textContent(), { timeout: 10_000 }).toContain('等候中 2');
      await screenshot(page, 'manager-released');

      // the server agrees: the ticket waits again, and the clerk may sign in at another counter
      expect(hall.server.hall.state.tickets.get(issued.ticket.id)?.status).toBe('waiting');
      const elsewhere = await connectClient(url, '/counter', 'demo-counter-2');
      okData(await elsewhere.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));

      // a dialog opened on what the counter was: when the clerk calls someone meanwhile, it says so and will not release
      const row2 = page.getByTestId('counter-row-2');
      await expect.poll(() => row2.locator('.status-pill').textContent(), { timeout: 10_000 }).toBe('空闲');
      await row2.getByRole('button', { name: '释放 2 号窗口' }).click();
      await dialog.waitFor({ timeout: 10_000 });
      expect(await page.getByRole('button', { name: '确认释放' }).isDisabled()).toBe(false);
      expect(okData(await elsewhere.command<CounterCommandResult>('counter:call-next')).ticket?.id).toBe(issued.ticket.id);
      await page.getByTestId('release-changed').waitFor({ timeout: 10_000 });
      expect(await page.getByRole('button', { name: '确认释放' }).isDisabled()).toBe(true);
      await dialog.getByRole('button', { name: '取消' }).click();
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });
      elsewhere.close();
    } finally {
      kiosk.close();
      kiosk2.close();
      await context.close();
    }
  });
});

describe('manager dashboard, a long call', () => {
  it('marks a counter calling for 5 minutes or more in red', async () => {
    // the server's clock is moved on 6 minutes after the call; the page takes its clock from the server's
    let shift = 0;
    const server = await startTestServer({ clock: () => Date.now() + shift });
    try {
      const url = server.server.url;
      const kiosk = await connectClient(url, '/kiosk', 'demo-kiosk-1');
      okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));
      const terminal = await connectClient(url, '/counter', 'demo-counter-1');
      okData(await terminal.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
      okData(await terminal.command('counter:call-next'));
      const other = await connectClient(url, '/counter', 'demo-counter-2');
      okData(await other.command('staff:sign-in', { login: 'clerk2', password: 'demo1234' }));
      okData(await other.command('counter:pause', { reason: '午休' }));
      shift = 6 * 60_000;
      const { page, context } = await openScreen(browser, url, { role: 'manager', token: 'demo-manager-1', path: '/manager/', viewport: { width: 1440, height: 900 } });
      try {
        const since = page.getByTestId('since-1');
        await expect.poll(() => since.textContent(), { timeout: 10_000 }).toMatch(/^6:\d\d$/);
        expect(await since.getAttribute('class')).toContain('manager__since--long');
        // paused that long is not a call nobody answered
        expect(await page.getByTestId('since-2').textContent()).toMatch(/^6:\d\d$/);
        expect(await page.getByTestId('since-2').getAttribute('class')).not.toContain('manager__since--long');
        const colour = await since.evaluate((el) => getComputedStyle(el).color);
        expect(colour).not.toBe(await page.getByTestId('since-2').evaluate((el) => getComputedStyle(el).color));
      } finally {
        await context.close();
        kiosk.close();
        terminal.close();
        other.close();
      }
    } finally {
      await server.dispose();
    }
  });
});

describe('manager dashboard, 潮汐窗口', () => {
  it('has counter 1 take on tax as its main work: the clerk there is told and calls the tax visitor; a reset gives the usual services back', async () => {
    const server = await startTestServer();
    const url = server.server.url;
    const kiosk = await connectClient(url, '/kiosk', 'demo-kiosk-1');
    const counter = await openScreen(browser, url, { role: 'counter', token: 'demo-counter-1', path: '/counter/', viewport: { width: 1280, height: 800 } });
    const manager = await openScreen(browser, url, { role: 'manager', token: 'demo-manager-1', path: '/manager/', viewport: { width: 1440, height: 900 } });
    counter.page.setDefaultTimeout(15_000); // a step that cannot happen fails naming the step, not the whole test's timeout
    manager.page.setDefaultTimeout(15_000);
    try {
      const tax = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'tax', idempotencyKey: idempotencyKey() }));
      const clerk = counter.page;
      await clerk.getByLabel('账号').fill('clerk1');
      await clerk.getByLabel('密码').fill('demo1234');
      await clerk.getByRole('button', { name: '登录' }).click();
      const served = clerk.getByTestId('counter-services');
      await expect.poll(() => served.textContent(), { timeout: 10_000 }).toContain('主办居民身份证办理、户口迁移登记、出入境证件办理');
      expect(await clerk.getByTestId('queue').locator('tr[data-ticket]').count()).toBe(0); // tax is not counter 1's

      const page = manager.page;
      // nobody at a counter serving tax: the dashboard says so in red, beside the one waiting
      const taxRow = page.getByTestId('open-tax');
      await expect.poll(() => taxRow.textContent(), { timeout: 10_000 }).toBe('0 个窗口在岗');
      expect(await taxRow.getAttribute('class')).toContain('manager__open--none');
      expect(await page.getByTestId('counter-services-1').textContent()).toBe('主办 3 项 · 兼办 3 项');
      const adjust = page.getByRole('button', { name: '调整事项（1 号窗口）' });
      expect(await adjust.isDisabled()).toBe(true); // acting needs a manager's sign-in
      await page.getByLabel('账号').fill('manager');
      await page.getByLabel('密码').fill('demo1234');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await expect.poll(() => adjust.isDisabled(), { timeout: 10_000 }).toBe(false);

      await adjust.click();
      const dialog = page.getByTestId('services-dialog');
      await dialog.waitFor({ timeout: 10_000 });
      const save = dialog.getByRole('button', { name: '保存调整' });
      expect(await save.isDisabled()).toBe(true); // nothing changed yet
      expect(await dialog.getByRole('button', { name: '恢复原设置' }).count()).toBe(0); // the catalogue's already
      await dialog.getByLabel(/税务办理：本窗口如何办理/).selectOption('primary');
      await dialog.getByLabel(/出入境证件办理：本窗口如何办理/).selectOption('none');
      await screenshot(page, 'manager-counter-services');
      await save.click();
      await expect.poll(() => page.getByTestId('manager-notice').textContent(), { timeout: 10_000 }).toBe('已调整 1 号窗口的办理事项，窗口已按新的事项叫号。');
      expect(await page.getByTestId('services-dialog').count()).toBe(0);
      await expect.poll(() => page.getByTestId('counter-services-1').textContent(), { timeout: 10_000 }).toMatch(/^主办 3 项 · 兼办 3 项今日 \d\d:\d\d 调整$/);
      await expect.poll(() => taxRow.textContent(), { timeout: 10_000 }).toBe('1 个窗口在岗');
      await screenshot(page, 'manager-counter-services-saved');

      // the clerk is told, sees the new services, and calls the tax visitor with F1
      await expect.poll(() => clerk.getByTestId('counter-feedback').textContent(), { timeout: 10_000 }).toBe('大厅管理员已调整本窗口的办理事项，请留意新的叫号范围。');
      expect(await served.textContent()).toMatch(/大厅管理员今日 \d\d:\d\d 调整，次日恢复原设置主办居民身份证办理、户口迁移登记、税务办理兼办/);
      await expect.poll(() => clerk.getByTestId('queue').locator('tr[data-ticket]').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining(tax.ticket.number)]);
      await screenshot(clerk, 'counter-services-changed');
      await clerk.keyboard.press('F1');
      await expect.poll(() => clerk.getByTestId('current-number').textContent(), { timeout: 10_000 }).toBe(tax.ticket.number);

      // another manager changes counter 1 while this dialog is open: it says so and will not save
      await adjust.click();
      await dialog.waitFor({ timeout: 10_000 });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-service'))).toBe('id-card'); // the first choice has the focus
      const other = await connectClient(url, '/manager', 'demo-manager-1');
      okData(await other.command('staff:sign-in', { login: 'manager', password: 'demo1234' }));
      const c1 = server.server.hall.state.counters.get('c1')!;
      okData(await other.command('counter:set-services', { counterId: 'c1', services: [...c1.services, { serviceId: 'pickup', level: 'backup' }] }));
      other.close();
      await dialog.getByTestId('services-changed').waitFor({ timeout: 10_000 });
      expect(await dialog.getByRole('button', { name: '保存调整' }).isDisabled()).toBe(true);
      expect(await dialog.getByRole('button', { name: '恢复原设置' }).isDisabled()).toBe(true);
      await dialog.getByRole('button', { name: '取消' }).click();
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });

      // the afternoon: the usual services back
      await adjust.click();
      await dialog.waitFor({ timeout: 10_000 });
      await dialog.getByRole('button', { name: '恢复原设置' }).click();
      await expect.poll(() => page.getByTestId('manager-notice').textContent(), { timeout: 10_000 }).toBe('1 号窗口已恢复原设置的办理事项。');
      await expect.poll(() => page.getByTestId('counter-services-1').textContent(), { timeout: 10_000 }).toBe('主办 3 项 · 兼办 3 项');
      await expect.poll(() => clerk.getByTestId('counter-feedback').textContent(), { timeout: 10_000 }).toBe('本窗口已恢复原设置的办理事项。');
      expect(server.server.hall.state.counters.get('c1')!.servicesSetAt).toBeNull();
      // the visitor called meanwhile stays with the clerk
      expect(await clerk.getByTestId('current-number').textContent()).toBe(tax.ticket.number);

      // a change made while the clerk's terminal is off the network is said when it is back (the line says the reset until then)
      const holder = [...server.server.realtime.io.of('/counter').sockets.values()].find((s) => s.data.staffId !== null)!;
      await counter.context.setOffline(true);
      holder.conn.close(); // the network drops under it (if it has not already)
      await clerk.locator('[data-connection="offline"]').waitFor({ timeout: 10_000 });
      const late = await connectClient(url, '/manager', 'demo-manager-1');
      okData(await late.command('staff:sign-in', { login: 'manager', password: 'demo1234' }));
      okData(await late.command('counter:set-services', { counterId: 'c1', services: [{ serviceId: 'tax', level: 'primary' }] }));
      late.close();
      await counter.context.setOffline(false);
      await clerk.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
      await expect.poll(() => clerk.getByTestId('counter-feedback').textContent(), { timeout: 10_000 }).toBe('大厅管理员已调整本窗口的办理事项，请留意新的叫号范围。');
      expect(await served.textContent()).toContain('主办税务办理');
    } finally {
      kiosk.close();
      await counter.context.close();
      await manager.context.close();
      await server.dispose();
    }
  });
});

