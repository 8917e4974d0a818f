// The hall's main path in a real browser: a visitor taps a ticket out of the kiosk, a clerk calls it,
// the hall display shows and says it, the counter display shows it; then recall, complete, no-show,
// transfer, call-by-number and pause, each seen on every screen it should reach.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensurePagesBuilt, launchChromium, openScreen, screenshot, spokenTexts, startTestServer, type TestHallServer } from './harness.ts';

let hall: TestHallServer;
let browser: Browser;
let kiosk: Page;
let counter: Page;
let display: Page;
let counterDisplay: Page;

const WAIT = { timeout: 10_000 };

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

async function takeTicket(category: string, serviceName: string): Promise<string> {
  await kiosk.getByRole('tab', { name: new RegExp(category) }).tap();
  await kiosk.getByRole('button', { name: new RegExp(serviceName) }).first().tap();
  await kiosk.getByRole('button', { name: '确认取号' }).tap();
  const number = kiosk.getByTestId('ticket-number');
  await number.waitFor(WAIT);
  const text = (await number.textContent()) ?? '';
  await kiosk.getByRole('button', { name: '完成，返回首页' }).tap();
  return text;
}

beforeAll(async () => {
  await ensurePagesBuilt();
  hall = await startTestServer();
  browser = await launchChromium();
  const url = hall.server.url;
  ({ page: kiosk } = await openScreen(browser, url, { role: 'kiosk', path: '/kiosk/', viewport: { width: 1080, height: 1920 }, touch: true }));
  ({ page: counter } = await openScreen(browser, url, { role: 'counter', token: 'demo-counter-1', path: '/counter/', viewport: { width: 1440, height: 900 } }));
  ({ page: display } = await openScreen(browser, url, { role: 'display', token: 'demo-display-1', path: '/display/', viewport: { width: 1920, height: 1080 } }));
  ({ page: counterDisplay } = await openScreen(browser, url, {
    role: 'counter-display',
    token: 'demo-display-1',
    path: '/counter-display/?counter=1',
    viewport: { width: 1280, height: 720 },
  }));
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const slug = ctx.task.name.replace(/[^\w\u4e00-\u9fff]+/g, '-').slice(0, 40);
  for (const [name, page] of Object.entries({ kiosk, counter, display, counterDisplay })) await screenshot(page, `failure-${slug}-${name}`).catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await hall?.dispose();
});

describe('kiosk → counter → hall display → counter display', () => {
  it('pairs the kiosk through its pairing screen, then a visitor taps a ticket out of it', async () => {
    await kiosk.getByRole('heading', { name: '设备配对' }).waitFor(WAIT);
    await kiosk.getByLabel('设备令牌').fill('demo-kiosk-1');
    await kiosk.getByRole('button', { name: '保存并连接' }).tap();
    await kiosk.getByRole('status', { name: /已连接/ }).waitFor(WAIT);
    expect(await kiosk.getByRole('tab', { name: /户籍与身份证/ }).getAttribute('aria-selected')).toBe('true');
    await screenshot(kiosk, 'kiosk-portrait-home');

    await kiosk.getByRole('button', { name: /居民身份证办理/ }).tap();
    await expect.poll(() => kiosk.getByRole('heading', { name: '居民身份证办理' }).isVisible()).toBe(true);
    await kiosk.getByRole('button', { name: '确认取号' }).tap();
    await kiosk.getByTestId('ticket-number').waitFor(WAIT);
    expect(await kiosk.getByTestId('ticket-number').textContent()).toBe('A001');
    expect(await kiosk.getByTestId('ticket-ahead').textContent()).toBe('0 人');
    expect(await kiosk.getByTestId('ticket-service').textContent()).toBe('居民身份证办理');
    const trackingUrl = await kiosk.getByRole('img', { name: '排队进度二维码' }).getAttribute('data-tracking-url');
    expect(trackingUrl).toMatch(new RegExp(`^${hall.server.url}/track/\\?t=[A-Za-z0-9_-]{8,}$`));
    await screenshot(kiosk, 'kiosk-portrait-ticket');

    // The QR code's page on the visitor's phone.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, timezoneId: 'America/New_York' }); // a visitor's phone set to another zone
    await phone.goto(trackingUrl!);
    await phone.getByTestId('track-number').waitFor(WAIT);
    expect(await phone.getByTestId('track-number').textContent()).toBe('A001');
    expect(await phone.getByTestId('track-status').textContent()).toBe('等候中');
    expect(await phone.getByTestId('track-ahead').textContent()).toBe('前面还有 0 人');
    // the phone is set to New York; the page shows the hall's time (Asia/Shanghai), as the hall's clocks do
    const hallTime = (at: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
    const shown = /(\d\d:\d\d):\d\d/.exec((await phone.getByTestId('track-updated').textContent()) ?? '')?.[1];
    expect([hallTime(Date.now() - 60_000), hallTime(Date.now())]).toContain(shown);
    await screenshot(phone, 'track-phone');
    await phone.close();
    await kiosk.getByRole('button', { name: '完成，返回首页' }).tap();
  });

  it('shows the waiting ticket on the hall display and to the clerk who signs in', async () => {
    await expect.poll(() => display.locator('[data-service="id-card"] .waiting__count').textContent(), WAIT).toBe('1');
    await counter.getByLabel('账号').fill('clerk1');
    await counter.getByLabel('密码').fill('demo1234');
    await counter.getByRole('button', { name: '登录' }).click();
    await counter.getByText('工作人员：王丽').waitFor(WAIT);
    await expect.poll(() => counter.getByTestId('queue').locator('tr[data-ticket]').allTextContents(), WAIT).toEqual([expect.stringContaining('A001')]);
    await expect.poll(() => counterDisplay.getByTestId('cd-state').textContent(), WAIT).toContain('欢迎办理');
    expect(await counterDisplay.getByTestId('cd-staff').textContent()).toContain('王丽');
  });

  it('calls with F1: the clerk sees why, the display shows and says it, the counter display shows it', async () => {
    await counter.keyboard.press('F1');
    await expect.poll(() => counter.getByTestId('current-number').textContent(), WAIT).toBe('A001');
    expect(await counter.getByTestId('current-chosen-by').textContent()).toBe('本窗口主办事项，按取号先后');
    expect(await counter.getByTestId('counter-feedback').textContent()).toBe('已呼叫 A001');

    await expect.poll(() => display.getByTestId('latest-call').textContent(), WAIT).toMatch(/请\s*A001\s*号到\s*1\s*号窗口办理/);
    const spoken = await until(() => spokenTexts(display), (s) => s.length >= 2, 'the call spoken twice');
    expect(spoken).toEqual(['请A零零一号到一号窗口办理', '请A零零一号到一号窗口办理']);
    expect(await display.locator('.recent__row--latest').textContent()).toContain('A001');

    await expect.poll(() => counterDisplay.getByTestId('cd-number').textContent(), WAIT).toBe('A001');
    expect(await counterDisplay.getByTestId('cd-state').textContent()).toContain('正在呼叫');

    await screenshot(counter, 'counter-calling');
    await display.waitForTimeout(600);
    await screenshot(display, 'display-landscape-call');
    await screenshot(counterDisplay, 'counter-display-calling');
  });

  it('recalls with F2: announced again, marked as a recall, counted at the counter', async () => {
    await counter.keyboard.press('F2');
    await expect.poll(() => counter.getByTestId('current-recalls').textContent(), WAIT).toBe('已重呼 1 次');
    const spoken = await until(() => spokenTexts(display), (s) => s.length >= 4, 'the recall spoken twice');
    expect(spoken.slice(2)).toEqual(['重复呼叫，请A零零一号到一号窗口办理', '重复呼叫，请A零零一号到一号窗口办理']);
    await expect.poll(() => display.getByTestId('latest-call').textContent(), WAIT).toContain('重呼');
  });

  it('starts with F3 and completes with F4 and an outcome; today’s figures count it', async () => {
    await counter.keyboard.press('F3');
    await expect.poll(() => counter.getByTestId('current-ticket').textContent(), WAIT).toContain('办理中');
    await expect.poll(() => counterDisplay.getByTestId('cd-state').textContent(), WAIT).toContain('正在办理');
    await counter.keyboard.press('F4');
    const dialog = counter.getByRole('dialog', { name: '选择办理结果' });
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: '办结', exact: true }).click();
    await expect.poll(() => counter.getByTestId('current-ticket').textContent(), WAIT).toContain('当前没有号码');
    expect(await counter.locator('[data-figure="completed"] dd').textContent()).toBe('1');
    expect(await counter.locator('[data-figure="called"] dd').textContent()).toBe('1');
    await expect.poll(() => counterDisplay.getByTestId('cd-state').textContent(), WAIT).toContain('欢迎办理');
  });

  it('marks a no-show with F5; the ticket can be reactivated from the list', async () => {
    expect(await takeTicket('户籍与身份证', '居民身份证办理')).toBe('A002');
    await expect.poll(() => counter.getByTestId('queue').locator('tr[data-ticket]').count(), WAIT).toBe(1);
    await counter.keyboard.press('F1');
    await expect.poll(() => counter.getByTestId('current-number').textContent(), WAIT).toBe('A002');
    await counter.keyboard.press('F5');
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('A002 已记为过号');
    await expect.poll(() => counter.getByTestId('no-shows').locator('tr[data-ticket]').allTextContents(), WAIT).toEqual([expect.stringContaining('A002')]);
    expect(await counter.locator('[data-figure="noShows"] dd').textContent()).toBe('1');
    await expect.poll(() => counterDisplay.getByTestId('cd-state').textContent(), WAIT).toContain('欢迎办理');

    // The visitor turns up within the grace period: back in the queue, called, served.
    await counter.getByRole('button', { name: '恢复过号 A002' }).click();
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('已恢复过号 A002');
    await expect.poll(() => counter.getByTestId('no-shows').locator('tr[data-ticket]').count(), WAIT).toBe(0);
    await expect.poll(() => counter.getByTestId('queue').locator('tr[data-ticket]').allTextContents(), WAIT).toEqual([expect.stringContaining('A002')]);
    await counter.keyboard.press('F1');
    await expect.poll(() => counter.getByTestId('current-number').textContent(), WAIT).toBe('A002');
    await counter.keyboard.press('F3');
    await expect.poll(() => counter.getByTestId('current-ticket').textContent(), WAIT).toContain('办理中');
    await counter.keyboard.press('F4');
    await counter.getByRole('dialog', { name: '选择办理结果' }).getByRole('button', { name: '咨询' }).click();
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('A002 已办结');
  });

  it('transfers with F6 to another service, and a ticket called by number to another counter', async () => {
    expect(await takeTicket('户籍与身份证', '居民身份证办理')).toBe('A003');
    await counter.keyboard.press('F1');
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('已呼叫 A003');
    await counter.keyboard.press('F6');
    const dialog = counter.getByRole('dialog', { name: '转移号码 A003' });
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: '综合咨询' }).click();
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('A003 已转移');
    // Counter 1 serves 综合咨询 as a backup, so the transferred ticket waits in its list again.
    await expect.poll(() => display.locator('[data-service="consult"] .waiting__count').textContent(), WAIT).toBe('1');
    await expect.poll(() => counter.getByTestId('queue').locator('tr[data-ticket]').allTextContents(), WAIT).toEqual([expect.stringContaining('A003')]);

    await counter.getByRole('button', { name: '呼叫 A003' }).click();
    await expect.poll(() => counter.getByTestId('current-number').textContent(), WAIT).toBe('A003');
    expect(await counter.getByTestId('current-chosen-by').textContent()).toBe('指定呼叫');
    await counter.keyboard.press('F6');
    await counter.getByRole('dialog').getByRole('button', { name: /7 号窗口/ }).click();
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('A003 已转移');
    await expect.poll(() => counter.getByTestId('queue').locator('tr[data-ticket]').count(), WAIT).toBe(0);
    expect(await counter.locator('[data-figure="transfersOut"] dd').textContent()).toBe('2');
  });

  it('pauses with F8 and a reason: counter display and hall display show 暂停服务; F8 resumes', async () => {
    await counter.keyboard.press('F8');
    const dialog = counter.getByRole('dialog', { name: '暂停服务原因' });
    await dialog.waitFor(WAIT);
    await dialog.getByRole('button', { name: '午间休息' }).click();
    await expect.poll(() => counter.getByRole('status').filter({ hasText: '本窗口已暂停服务' }).textContent(), WAIT).toContain('午间休息');
    await expect.poll(() => counterDisplay.getByTestId('cd-state').textContent(), WAIT).toContain('暂停服务');
    expect(await counterDisplay.getByTestId('cd-state').textContent()).toContain('午间休息');
    await expect.poll(() => display.locator('[data-counter="1"]').textContent(), WAIT).toContain('暂停服务');
    // Calling is refused while paused, in words.
    expect(await counter.getByRole('button', { name: /^叫号/ }).isDisabled()).toBe(true);
    await screenshot(counter, 'counter-paused');
    await screenshot(counterDisplay, 'counter-display-paused');

    await counter.keyboard.press('F8');
    await expect.poll(() => counterDisplay.getByTestId('cd-state').textContent(), WAIT).toContain('欢迎办理');
    // the counter display and the terminal are two pages on two connections: neither waits for the other
    await expect.poll(() => counter.getByRole('button', { name: /^叫号/ }).isEnabled(), WAIT).toBe(true);
  });

  it('says a refused command in words', async () => {
    await counter.keyboard.press('F1');
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('操作未成功：当前没有等候的号码');
  });

  it('fills the hall display with a busy morning and switches to English', async () => {
    expect(await takeTicket('社保', '社保参保登记')).toBe('D001');
    expect(await takeTicket('企业开办与税务', '企业开办')).toBe('J001');
    expect(await takeTicket('户籍与身份证', '居民身份证办理')).toBe('A004');
    // A second display set to the 2F area shows only counters 5 and 6 and stays quiet for counter 1.
    const { page: upstairs } = await openScreen(browser, hall.server.url, {
      role: 'display',
      token: 'demo-display-1',
      path: '/display/?area=2F',
      viewport: { width: 1920, height: 1080 },
    });
    await upstairs.locator('[data-connection="online"]').waitFor(WAIT);
    expect(await upstairs.locator('[data-counter]').evaluateAll((els) => els.map((e) => e.getAttribute('data-counter')))).toEqual(['5', '6']);
    await counter.keyboard.press('F1');
    await expect.poll(() => display.getByTestId('latest-call').textContent(), WAIT).toMatch(/请\s*A004\s*号到\s*1\s*号窗口办理/);
    expect(await spokenTexts(upstairs)).toEqual([]);
    expect(await upstairs.getByTestId('latest-call').textContent()).toContain('暂无叫号');
    await upstairs.close();
    await display.waitForTimeout(600);
    await screenshot(display, 'display-landscape-busy');
    await display.setViewportSize({ width: 1080, height: 1920 });
    await screenshot(display, 'display-portrait');
    await display.setViewportSize({ width: 1920, height: 1080 });

    await kiosk.getByRole('button', { name: '切换为英文界面' }).tap();
    await kiosk.getByRole('heading', { name: 'Welcome. Please choose what you came for' }).waitFor(WAIT);
    await screenshot(kiosk, 'kiosk-portrait-home-en');
  });

  it('suspends with F7 while papers are fetched, and resumes with F7', async () => {
    await expect.poll(() => counter.getByTestId('current-number').textContent(), WAIT).toBe('A004');
    await counter.keyboard.press('F3');
    await expect.poll(() => counter.getByTestId('current-ticket').textContent(), WAIT).toContain('办理中');
    await counter.keyboard.press('F7');
    await counter.getByRole('dialog', { name: '挂起号码 A004（补件）' }).getByRole('button', { name: '材料留在本窗口，回来后到本窗口' }).click();
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('A004 已挂起');
    await expect.poll(() => counter.getByTestId('suspended').locator('tr[data-ticket]').allTextContents(), WAIT).toEqual([expect.stringContaining('A004')]);
    expect(await counter.getByTestId('current-ticket').textContent()).toContain('当前没有号码');

    await counter.keyboard.press('F7');
    await counter.getByRole('dialog', { name: '挂起号码' }).getByRole('button', { name: '恢复 A004' }).click();
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('已恢复 A004');
    await expect.poll(() => counter.getByTestId('suspended').locator('tr[data-ticket]').count(), WAIT).toBe(0);
    expect(await counter.locator('[data-figure="suspended"] dd').textContent()).toBe('1');
    // Resumed tickets come back directed to this counter, ahead of the ordinary queue.
    await expect.poll(() => counter.getByTestId('queue').locator('tr[data-ticket]').first().textContent(), WAIT).toContain('A004转入');
    await counter.keyboard.press('F1');
    await expect.poll(() => counter.getByTestId('current-number').textContent(), WAIT).toBe('A004');
    expect(await counter.getByTestId('current-chosen-by').textContent()).toBe('转入本窗口的号码');
  });

  it('comes back by itself after a server restart: fresh snapshots everywhere, the clerk still signed in', async () => {
    await hall.stop();
    for (const page of [kiosk, counter, display, counterDisplay]) {
      await page.locator('[data-connection="offline"]').waitFor(WAIT);
    }
    await screenshot(display, 'display-offline');
    await hall.restart();
    for (const page of [kiosk, counter, display, counterDisplay]) {
      await page.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
    }
    // The counter's new socket signed in again by itself: its hotkeys work without a new login.
    await counter.getByText('工作人员：王丽').waitFor(WAIT);
    expect(await counter.getByTestId('current-number').textContent()).toBe('A004');
    await counter.keyboard.press('F3');
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('开始办理 A004');
    await counter.keyboard.press('F4');
    await counter.getByRole('dialog', { name: '选择办理结果' }).getByRole('button', { name: '受理', exact: true }).click();
    await expect.poll(() => counter.getByTestId('counter-feedback').textContent(), WAIT).toBe('A004 已办结');
    // The displays rebuilt from the new server's snapshot and keep following it.
    await expect.poll(() => counterDisplay.getByTestId('cd-state').textContent(), WAIT).toContain('欢迎办理');
    await expect.poll(() => display.getByTestId('latest-call').textContent(), WAIT).toMatch(/A004/);
    await counter.keyboard.press('F1');
    await expect.poll(() => display.getByTestId('latest-call').textContent(), WAIT).toMatch(/请\s*D001\s*号到\s*1\s*号窗口办理/);
    await expect.poll(() => spokenTexts(display), WAIT).toContain('请D零零一号到一号窗口办理');
  });

  it('a second terminal of the counter shows only what the hall sees until the clerk signs in there; the first then asks to sign in again', async () => {
    const { context, page: second } = await openScreen(browser, hall.server.url, { role: 'counter', token: 'demo-counter-1', path: '/counter/', viewport: { width: 1440, height: 900 } });
    try {
      await second.getByRole('heading', { name: '工作人员登录' }).waitFor(WAIT);
      expect(await second.locator('.masthead__counter-number').textContent()).toBe('1');
      await expect.poll(() => second.locator('.status-pill').textContent(), WAIT).toBe('呼叫中'); // as the hall displays show it
      expect(await second.getByLabel('账号').inputValue()).toBe(''); // no one has signed in on this terminal yet
      expect(await second.getByTestId('current-number').count()).toBe(0);

      await second.getByLabel('账号').fill('clerk1');
      await second.getByLabel('密码').fill('demo1234');
      await second.getByRole('button', { name: '登录' }).click();
      await expect.poll(() => second.getByTestId('current-number').textContent(), WAIT).toBe('D001');

      // the first terminal lets go of the visitor at once and says why
      await expect.poll(() => counter.getByTestId('session-ended').textContent(), WAIT).toContain('已在其他终端登录');
      expect(await counter.getByTestId('current-number').count()).toBe(0);
      expect(await counter.getByLabel('账号').inputValue()).toBe('clerk1'); // the login last used here is offered
      await screenshot(counter, 'counter-session-ended');

      // The first terminal takes the session back; then it loses its network, and meanwhile the clerk signs
      // in on the second again. When the first comes back it must not take the session by itself.
      await counter.getByLabel('密码').fill('demo1234');
      await counter.getByRole('button', { name: '登录' }).click();
      await expect.poll(() => counter.getByTestId('current-number').textContent(), WAIT).toBe('D001');
      await expect.poll(() => second.getByTestId('session-ended').count(), WAIT).toBe(1);
      // the connection holding the clerk, found before going offline: Chromium may close it itself then
      const holderNow = () => [...hall.server.realtime.io.of('/counter').sockets.values()].find((s) => s.data.staffId !== null);
      await expect.poll(() => holderNow() !== undefined, WAIT).toBe(true);
      const holder = holderNow()!;
      await counter.context().setOffline(true);
      holder.conn.close(); // the network drops under it (if it has not already)
      await counter.locator('[data-connection="offline"]').waitFor(WAIT);
      await second.getByLabel('密码').fill('demo1234');
      await second.getByRole('button', { name: '登录' }).click();
      await expect.poll(() => second.getByTestId('current-number').textContent(), WAIT).toBe('D001');
      await counter.context().setOffline(false);
      await counter.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
      await expect.poll(() => counter.getByTestId('session-ended').textContent(), WAIT).toContain('登录已结束');
      expect(await counter.getByTestId('current-number').count()).toBe(0);
      // the second terminal keeps the clerk
      await second.keyboard.press('F2');
      await expect.poll(() => second.getByTestId('counter-feedback').textContent(), WAIT).toBe('已重呼 D001');
    } finally {
      await context.close();
    }
  });
});
