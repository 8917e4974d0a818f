// The kiosk on its own: both orientations, the ID keypad with its checksum and age priority, a double tap,
// 大字模式 with spoken guidance and 呼叫帮办, the offline state while the server is down, and recovery.
import type { Browser, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, AssistRequestView, PublicServiceView } from '../../shared/protocol.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol.ts';
import { ensurePagesBuilt, launchChromium, openScreen, screenshot, spokenTexts, startTestServer, type TestHallServer } from './harness.ts';

let hall: TestHallServer;
let browser: Browser;
let kiosk: Page;
let manager: Socket;

const WAIT = { timeout: 10_000 };
const ELDERLY_ID = '11010519491231002X'; // born 1949-12-31, check character X
const YOUNG_ID = '110105200001010016'; // born 2000-01-01

async function waiting(serviceId: string): Promise<number> {
  const res = await fetch(`${hall.server.url}/api/v1/services`);
  const body = (await res.json()) as { services: PublicServiceView[] };
  return body.services.find((s) => s.id === serviceId)!.waiting;
}

async function typeOnKeypad(page: Page, digits: string): Promise<void> {
  for (const ch of digits) {
    await page.getByRole('button', { name: ch === 'X' ? 'X' : `数字 ${ch}`, exact: true }).tap();
  }
}

async function openService(page: Page, category: string, service: string): Promise<void> {
  await page.getByRole('tab', { name: new RegExp(category) }).tap();
  await page.getByRole('button', { name: new RegExp(service) }).tap();
  await page.getByRole('heading', { name: service }).waitFor(WAIT);
}

beforeAll(async () => {
  await ensurePagesBuilt();
  hall = await startTestServer();
  browser = await launchChromium();
  ({ page: kiosk } = await openScreen(browser, hall.server.url, {
    role: 'kiosk',
    token: 'demo-kiosk-1',
    path: '/kiosk/?ticketSeconds=4',
    viewport: { width: 1080, height: 1920 },
    touch: true,
  }));
  manager = io(`${hall.server.url}/manager`, { auth: { token: 'demo-manager-1', protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    manager.once('connect', () => resolve());
    manager.once('connect_error', reject);
  });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && kiosk) await screenshot(kiosk, `failure-kiosk-${ctx.task.name.replace(/[^\w\u4e00-\u9fff]+/g, '-').slice(0, 40)}`).catch(() => {});
});

afterAll(async () => {
  manager?.close();
  await browser?.close();
  await hall?.dispose();
});

describe('kiosk', () => {
  it('shows every service with its guide, hours and waiting count, in portrait and landscape', async () => {
    await kiosk.getByRole('status', { name: /已连接/ }).waitFor(WAIT);
    const tabs = await kiosk.getByRole('tab').allTextContents();
    expect(tabs).toHaveLength(8);
    await kiosk.getByRole('tab', { name: /不动产登记/ }).tap();
    const card = kiosk.locator('[data-service="real-estate"]');
    await expect.poll(() => card.textContent(), WAIT).toContain('请携带身份证、购房合同、完税证明。');
    expect(await card.textContent()).toContain('剩余号源 150');
    expect(await card.textContent()).toContain('需身份证实名取号');
    expect(await card.textContent()).toContain('可取号');
    await screenshot(kiosk, 'kiosk-portrait-category');
    await kiosk.setViewportSize({ width: 1920, height: 1080 });
    await kiosk.getByRole('tab', { name: /户籍与身份证/ }).tap();
    await screenshot(kiosk, 'kiosk-landscape-home');
    // Every touch target is at least 48 px.
    const small = await kiosk.evaluate(() =>
      [...document.querySelectorAll('button')]
        .map((b) => ({ text: b.textContent, rect: b.getBoundingClientRect() }))
        .filter((b) => b.rect.width > 0 && (b.rect.width < 48 || b.rect.height < 48))
        .map((b) => b.text),
    );
    expect(small).toEqual([]);
    await kiosk.setViewportSize({ width: 1080, height: 1920 });
  });

  it('checks an ID number as it is typed and offers priority above the age threshold', async () => {
    await openService(kiosk, '户籍与身份证', '户口迁移登记');
    // An ID-only service has no plain "take a ticket" button.
    expect(await kiosk.getByTestId('take-ticket').count()).toBe(0);
    await kiosk.getByRole('button', { name: /输入身份证号取号/ }).tap();
    await kiosk.getByRole('heading', { name: '请输入身份证号码' }).waitFor(WAIT);
    await typeOnKeypad(kiosk, '1101051949123100');
    expect(await kiosk.getByRole('button', { name: 'X', exact: true }).isDisabled()).toBe(true);
    await typeOnKeypad(kiosk, '21');
    await expect.poll(() => kiosk.getByTestId('id-status').textContent(), WAIT).toBe('身份证号校验位不正确，请核对');
    expect(await kiosk.getByRole('button', { name: '取号', exact: true }).isDisabled()).toBe(true);
    await kiosk.getByRole('button', { name: '删除最后一位' }).tap();
    await typeOnKeypad(kiosk, 'X');
    await expect.poll(() => kiosk.getByTestId('id-status').textContent(), WAIT).toBe('✓ 号码校验通过');
    await kiosk.getByText('您已年满 60 周岁，可走绿色通道优先办理。').waitFor(WAIT);
    await screenshot(kiosk, 'kiosk-portrait-keypad');
    await kiosk.getByRole('button', { name: '优先取号' }).tap();
    await kiosk.getByTestId('ticket-number').waitFor(WAIT);
    expect(await kiosk.getByTestId('ticket-number').textContent()).toBe('B001');
    await kiosk.getByText('绿色通道 · 老年人优先').waitFor(WAIT);
    // The ID number never appears on the ticket screen.
    expect(await kiosk.locator('body').textContent()).not.toContain('1949');
  });

  it('returns home by itself after the configured number of seconds', async () => {
    await kiosk.getByText(/秒后自动返回首页/).waitFor(WAIT);
    await kiosk.getByRole('heading', { name: '欢迎办事，请选择要办理的事项' }).waitFor({ timeout: 15_000 });
  });

  it('does not offer priority to a younger visitor', async () => {
    await openService(kiosk, '户籍与身份证', '户口迁移登记');
    await kiosk.getByRole('button', { name: /输入身份证号取号/ }).tap();
    await typeOnKeypad(kiosk, YOUNG_ID);
    await expect.poll(() => kiosk.getByTestId('id-status').textContent(), WAIT).toBe('✓ 号码校验通过');
    expect(await kiosk.getByRole('button', { name: '优先取号' }).count()).toBe(0);
    await kiosk.getByRole('button', { name: '← 返回' }).tap();
    await kiosk.getByRole('heading', { name: '欢迎办事，请选择要办理的事项' }).waitFor(WAIT);
  });

  it('issues one ticket for a double tap', async () => {
    const before = await waiting('id-card');
    await openService(kiosk, '户籍与身份证', '居民身份证办理');
    const take = kiosk.getByTestId('take-ticket');
    await take.dblclick();
    await kiosk.getByTestId('ticket-number').waitFor(WAIT);
    // A second burst on the same spot lands on the ticket screen, which has no take button.
    await kiosk.mouse.click(540, 1000);
    await kiosk.waitForTimeout(500);
    expect(await waiting('id-card')).toBe(before + 1);
    expect(await kiosk.getByTestId('ticket-number').textContent()).toBe('A001');
    await kiosk.getByRole('button', { name: '完成，返回首页' }).tap();
  });

  it('大字模式: larger text, spoken guidance, and 呼叫帮办 reaches the manager', async () => {
    const nameSize = () => kiosk.locator('.service-card__name').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    const standard = await nameSize();
    await kiosk.getByRole('button', { name: /切换大字模式/ }).tap();
    expect(await kiosk.getByRole('button', { name: /切换大字模式/ }).getAttribute('aria-pressed')).toBe('true');
    expect(await nameSize()).toBeGreaterThanOrEqual(standard * 1.3);

    await kiosk.getByRole('button', { name: '语音引导：关' }).tap();
    await expect.poll(() => spokenTexts(kiosk), WAIT).toContain('欢迎办事，请点击屏幕选择要办理的事项。');
    await screenshot(kiosk, 'kiosk-portrait-elderly');

    const assist = new Promise<AssistRequestView>((resolve) => manager.once('hall:assist', resolve));
    await kiosk.getByRole('button', { name: '呼叫工作人员到取号机帮您办理' }).tap();
    const request = await assist;
    expect(request.reason).toBe('elderly');
    expect(request.deviceName).toBe('大厅取号机 1');
    await kiosk.getByText('已通知工作人员，请在此稍候，马上有人来帮您。').waitFor(WAIT);
    // a hall manager takes it on the dashboard: the visitor is told, on screen and aloud, that someone is coming
    const signIn = await new Promise<Ack<unknown>>((resolve) => manager.emit('staff:sign-in', { login: 'manager', password: 'demo1234' }, resolve));
    expect(signIn.ok).toBe(true);
    const taken = await new Promise<Ack<unknown>>((resolve) => manager.emit('assist:handle', { requestId: request.id }, resolve));
    expect(taken.ok).toBe(true);
    await kiosk.getByText('工作人员周主任已收到您的求助，正在赶来，请在此稍候。').waitFor(WAIT);
    await expect.poll(() => spokenTexts(kiosk), WAIT).toContain('工作人员正在赶来，请稍候。');
    // Back to standard for the next visitor.
    await kiosk.getByRole('button', { name: /切换大字模式/ }).tap();
  });

  it("shows a service whose issuing a hall manager paused, with the manager's reason, and issues again once resumed", async () => {
    const command = (event: string, payload: unknown) => new Promise<Ack<unknown>>((resolve) => manager.emit(event, payload, resolve));
    expect((await command('staff:sign-in', { login: 'manager', password: 'demo1234' })).ok).toBe(true);
    expect((await command('service:pause-issuing', { serviceId: 'passport', reason: '出入境业务系统维护' })).ok).toBe(true);
    await kiosk.getByRole('tab', { name: /出入境/ }).tap();
    const card = kiosk.getByRole('button', { name: /出入境证件办理/ });
    await expect.poll(() => card.textContent(), WAIT).toContain('今日暂停取号');
    await card.tap();
    await kiosk.getByRole('heading', { name: '出入境证件办理' }).waitFor(WAIT);
    const notice = kiosk.getByRole('status').filter({ hasText: '该事项现在不能取号' });
    expect(await notice.textContent()).toBe('该事项现在不能取号：今日暂停取号 原因：出入境业务系统维护。已取号的访客照常办理，请咨询服务台。');
    expect(await kiosk.getByTestId('take-ticket').isDisabled()).toBe(true);
    await screenshot(kiosk, 'kiosk-portrait-issuing-paused');
    expect((await command('service:resume-issuing', { serviceId: 'passport' })).ok).toBe(true);
    await notice.waitFor({ state: 'detached', ...WAIT });
    expect(await kiosk.getByTestId('take-ticket').isDisabled()).toBe(false);
    await kiosk.getByRole('button', { name: /返回/ }).first().tap();
  });

  it('says it cannot issue while the server is down, and recovers by itself when it is back', async () => {
    await openService(kiosk, '出入境', '出入境证件办理');
    await hall.stop();
    await kiosk.getByTestId('kiosk-offline').waitFor(WAIT);
    expect(await kiosk.getByTestId('kiosk-offline').textContent()).toContain('现在不能取号');
    expect(await kiosk.getByRole('status', { name: /连接中断/ }).count()).toBe(1);
    expect(await kiosk.getByTestId('take-ticket').count()).toBe(0);
    expect(await kiosk.getByRole('button', { name: '呼叫工作人员到取号机帮您办理' }).isDisabled()).toBe(true);
    await screenshot(kiosk, 'kiosk-portrait-offline');

    await hall.restart();
    await kiosk.getByRole('status', { name: /已连接/ }).waitFor({ timeout: 20_000 });
    // The visitor's choice is still there, and the numbering continues from the database.
    await kiosk.getByTestId('take-ticket').tap();
    await kiosk.getByTestId('ticket-number').waitFor(WAIT);
    expect(await kiosk.getByTestId('ticket-number').textContent()).toBe('C001');
    await kiosk.getByRole('button', { name: '完成，返回首页' }).tap();
    expect(await waiting('id-card')).toBe(1);
  });

  it('shows the ticket screen in landscape', async () => {
    await kiosk.setViewportSize({ width: 1920, height: 1080 });
    await openService(kiosk, '社保', '养老保险待遇');
    await screenshot(kiosk, 'kiosk-landscape-service');
    await kiosk.getByTestId('take-ticket').tap();
    await kiosk.getByTestId('ticket-number').waitFor(WAIT);
    expect(await kiosk.getByTestId('ticket-number').textContent()).toBe('E001');
    await screenshot(kiosk, 'kiosk-landscape-ticket');
  });
});
