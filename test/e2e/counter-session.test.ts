// A clerk's sign-in expires after the hall's staffSessionHours (default 12): the counter terminal lets go
// of the counter by itself and says so in words, then takes a fresh sign-in. The server's clock is the
// test's, so twelve hours pass in a moment.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePagesBuilt, launchChromium, openScreen, screenshot, startTestServer, type TestHallServer } from './harness.ts';

let hall: TestHallServer;
let browser: Browser;
let now = Date.UTC(2026, 10, 23, 0, 30); // 08:30 in Shanghai: twelve hours later is still the same business day

beforeAll(async () => {
  await ensurePagesBuilt();
  hall = await startTestServer({ clock: () => now, revocationCheckMs: 200 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hall?.dispose();
});

describe('counter terminal sign-in', () => {
  it('expires after the hall’s session hours: the terminal shows 登录已超时 and the sign-in form, the idle counter is signed out, and a fresh sign-in works', async () => {
    const { page, context } = await openScreen(browser, hall.server.url, { role: 'counter', token: 'demo-counter-1', path: '/counter/', viewport: { width: 1440, height: 900 } });
    try {
      await page.getByLabel('账号').fill('clerk1');
      await page.getByLabel('密码').fill('demo1234');
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('button', { name: /叫号/ }).first().waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('session-ended').count()).toBe(0);

      now += 12 * 3_600_000 + 60_000; // 20:31, one minute past the 12 hours
      await expect.poll(() => page.getByTestId('session-ended').textContent(), { timeout: 10_000 }).toBe('登录已超时，请重新登录。');
      await page.getByRole('heading', { name: '工作人员登录' }).waitFor({ timeout: 10_000 });
      expect(await page.getByLabel('账号').inputValue()).toBe('clerk1'); // offered again on this terminal
      // nobody was with the clerk: the counter is signed out, as the hall's screens now show it
      await expect.poll(() => page.locator('.status-pill').textContent(), { timeout: 10_000 }).toBe('未登录');
      await screenshot(page, 'counter-session-expired');

      await page.getByLabel('密码').fill('demo1234');
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('button', { name: /叫号/ }).first().waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('session-ended').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('is continued after a reconnect even when the first resume gets no answer: the terminal asks again by itself', async () => {
    let dropped = 0;
    // the network eats the terminal's first resume after the reconnect (the server never sees it)
    const dropFirstResume = (context: BrowserContext) =>
      context.routeWebSocket(/socket\.io/, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((message) => {
          if (typeof message === 'string' && message.includes('"resume"') && dropped === 0) {
            dropped += 1;
            return;
          }
          server.send(message);
        });
        server.onMessage((message) => ws.send(message));
      });
    const { page, context } = await openScreen(browser, hall.server.url, {
      role: 'counter',
      token: 'demo-counter-2',
      path: '/counter/',
      viewport: { width: 1440, height: 900 },
      beforeOpen: dropFirstResume,
    });
    try {
      await page.getByLabel('账号').fill('clerk2');
      await page.getByLabel('密码').fill('demo1234');
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('button', { name: /叫号/ }).first().waitFor({ timeout: 10_000 });

      const terminal = [...hall.server.realtime.io.of('/counter').sockets.values()].find((s) => s.data.device.counterId === 'c2');
      terminal!.conn.close(); // the connection drops; the page reconnects at once
      await expect.poll(() => dropped, { timeout: 10_000 }).toBe(1);
      // no answer for the command timeout (8 s), then asked again 2 s later: signed in without the clerk
      await page.getByRole('button', { name: /叫号/ }).first().waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('session-ended').count()).toBe(0);
      const holders = [...hall.server.realtime.io.of('/counter').sockets.values()].filter((s) => s.data.device.counterId === 'c2' && s.data.staffId !== null);
      expect(holders).toHaveLength(1);
    } finally {
      await context.close();
    }
  });
});
