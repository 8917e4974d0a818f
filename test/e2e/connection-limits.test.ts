// A screen whose token already holds as many connections as the server allows is not "refused" for
// good: it says it is reconnecting and comes online by itself once a place is free.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePagesBuilt, launchChromium, openScreen, screenshot, startTestServer, type TestHallServer } from './harness.ts';

let hall: TestHallServer;
let browser: Browser;

beforeAll(async () => {
  await ensurePagesBuilt();
  hall = await startTestServer({ maxConnectionsPerDevice: 2 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hall?.dispose();
});

describe('connections per device token', () => {
  it('a display over its token’s limit waits, says it is reconnecting, and connects by itself when a place frees', async () => {
    const open = (name: string) =>
      openScreen(browser, hall.server.url, { role: 'display', token: 'demo-display-1', path: `/display/?screen=${name}`, viewport: { width: 1280, height: 720 } });
    const first = await open('a');
    const second = await open('b');
    for (const s of [first, second]) await s.page.locator('[data-connection="online"]').waitFor({ timeout: 10_000 });

    const third = await open('c');
    await third.page.locator('[data-connection="offline"]').waitFor({ timeout: 10_000 });
    expect(await third.page.getByRole('status', { name: /连接中断，正在自动重连/ }).count()).toBe(1);
    expect(await third.page.locator('[data-connection="refused"]').count()).toBe(0);
    await screenshot(third.page, 'display-over-connection-limit');

    await first.context.close();
    // retried every 5–10 s; the token's connect budget (2 per 10 s) is back by then
    await third.page.locator('[data-connection="online"]').waitFor({ timeout: 25_000 });
    await second.context.close();
    await third.context.close();
  });
});
