// Accessibility audit of every screen in real Chromium: each text's contrast against what is really
// behind it is at least 4.5:1 (gradients: against their worst colour stop), and every control has an
// accessible name. Disabled controls are exempt from contrast, as in WCAG 1.4.3.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssueTicketResult } from '../../shared/protocol.ts';
import { ensurePagesBuilt, launchChromium, openScreen, startTestServer, type TestHallServer } from './harness.ts';
import { connectClient, okData } from '../helpers/hall.ts';

const MIN_CONTRAST = 4.5;
let hall: TestHallServer;
let browser: Browser;
let trackingToken: string;

interface Finding {
  text: string;
  ratio: number;
  color: string;
  background: string;
}

/** Runs in the page. Kept self-contained: it is serialised by Playwright. */
function audit(): { contrast: Finding[]; unnamed: string[]; checked: number } {
  type RGBA = [number, number, number, number];
  const parse = (c: string): RGBA | null => {
    const m = /rgba?\(([^)]+)\)/.exec(c);
    if (!m) return null;
    const p = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
  };
  const lum = ([r, g, b]: RGBA) => {
    const f = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a: RGBA, b: RGBA) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number];
    return (x + 0.05) / (y + 0.05);
  };
  const blend = (top: RGBA, bottom: RGBA): RGBA => {
    const a = top[3];
    return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
  };
  /** the colours that can be behind an element: its own and its ancestors' backgrounds, gradient stops included */
  const backgroundsOf = (el: Element): RGBA[] => {
    const layers: RGBA[][] = [];
    for (let node: Element | null = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      const image = style.backgroundImage;
      const stops = image && image !== 'none' ? [...image.matchAll(/rgba?\([^)]+\)/g)].map((m) => parse(m[0])!).filter(Boolean) : [];
      const color = parse(style.backgroundColor);
      const own = stops.length ? stops : color && color[3] > 0 ? [color] : [];
      if (own.length) {
        layers.push(own);
        if (own.every((c) => c[3] >= 1)) break;
      }
    }
    let result: RGBA[] = [[255, 255, 255, 1]];
    for (const layer of layers.reverse()) result = layer.flatMap((top) => result.map((bottom) => blend(top, bottom)));
    return result;
  };
  const contrast: Finding[] = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set<Element>();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent?.trim()) continue;
    seen.add(el);
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    if (el.closest('[aria-hidden="true"], :disabled, [aria-disabled="true"]')) continue;
    const color = parse(style.color);
    if (!color) continue;
    checked++;
    const worst = Math.min(...backgroundsOf(el).map((bg) => ratio(color[3] < 1 ? blend(color, bg) : color, bg)));
    if (worst < 4.5) contrast.push({ text: n.textContent.trim().slice(0, 40), ratio: Math.round(worst * 100) / 100, color: style.color, background: backgroundsOf(el).map((c) => c.join(',')).join(' | ') });
  }
  const unnamed: string[] = [];
  for (const el of document.querySelectorAll('button, a[href], input, select, textarea, [role="button"], [role="tab"]')) {
    const labelled = el.getAttribute('aria-labelledby');
    const name =
      el.getAttribute('aria-label') ||
      (labelled ? labelled.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '') ||
      ('labels' in el && (el as HTMLInputElement).labels?.length ? [...(el as HTMLInputElement).labels!].map((l) => l.textContent).join(' ') : '') ||
      el.textContent ||
      el.getAttribute('title') ||
      '';
    if (!name.trim()) unnamed.push(el.outerHTML.slice(0, 120));
  }
  return { contrast, unnamed, checked };
}

async function check(page: Page, label: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  // let colour transitions finish (a button that just became enabled fades in); endless ones (the notice) run on
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  const result = await page.evaluate(audit);
  expect(result.checked, `${label}: texts checked`).toBeGreaterThan(5);
  expect(result.contrast, `${label}: texts below ${MIN_CONTRAST}:1`).toEqual([]);
  expect(result.unnamed, `${label}: controls without an accessible name`).toEqual([]);
}

beforeAll(async () => {
  await ensurePagesBuilt();
  hall = await startTestServer();
  browser = await launchChromium();
  const res = await fetch(`${hall.server.url}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-1' },
    body: JSON.stringify({ serviceId: 'id-card', idempotencyKey: 'a11y-ticket-0001' }),
  });
  trackingToken = ((await res.json()) as IssueTicketResult).ticket.trackingToken;
});
afterAll(async () => {
  await browser?.close();
  await hall?.dispose();
});

const WAIT = { timeout: 10_000 };

describe('accessibility', () => {
  it('kiosk, portrait and elderly mode', async () => {
    const { context, page } = await openScreen(browser, hall.server.url, {
      role: 'kiosk',
      token: 'demo-kiosk-1',
      path: '/kiosk/',
      viewport: { width: 1080, height: 1920 },
      touch: true,
    });
    await page.getByText('居民身份证办理').first().waitFor(WAIT);
    await check(page, 'kiosk');
    await page.getByRole('button', { name: /大字/ }).first().tap();
    await check(page, 'kiosk elderly mode');
    await context.close();
  });

  it('counter terminal with a called ticket, hall display and counter display', async () => {
    const counter = await openScreen(browser, hall.server.url, { role: 'counter', token: 'demo-counter-1', path: '/counter/', viewport: { width: 1440, height: 900 } });
    await counter.page.locator('input[name=login]').fill('clerk1');
    await counter.page.locator('input[name=password]').fill('demo1234');
    await check(counter.page, 'counter sign-in');
    await counter.page.locator('input[name=password]').press('Enter');
    await counter.page.getByText('本窗口今日').waitFor(WAIT);
    await check(counter.page, 'counter signed in');
    await counter.page.keyboard.press('F1');
    await counter.page.getByText('A001').first().waitFor(WAIT);
    await check(counter.page, 'counter calling');

    const display = await openScreen(browser, hall.server.url, { role: 'display', token: 'demo-display-1', path: '/display/', viewport: { width: 1920, height: 1080 } });
    await display.page.getByText('最近呼叫').waitFor(WAIT);
    await check(display.page, 'hall display');

    const counterDisplay = await openScreen(browser, hall.server.url, {
      role: 'counter-display',
      token: 'demo-display-1',
      path: '/counter-display/?counter=1',
      viewport: { width: 1280, height: 720 },
    });
    await counterDisplay.page.getByText('A001').first().waitFor(WAIT);
    await check(counterDisplay.page, 'counter display');
    for (const s of [counter, display, counterDisplay]) await s.context.close();
  });

  it('manager dashboard, signed out, then signed in with the release dialog and the counter services dialog open', async () => {
    // counter 1 is calling A001 from the test before: its row has a ticket and a release button; two kiosks
    // have asked for help, and one request is taken once the manager signs in (open and taken rows both show)
    const kiosks = [await connectClient(hall.server.url, '/kiosk', 'demo-kiosk-1'), await connectClient(hall.server.url, '/kiosk', 'demo-kiosk-2')];
    okData(await kiosks[0]!.command('kiosk:assist', { reason: 'elderly' }));
    okData(await kiosks[1]!.command('kiosk:assist', {}));
    okData(await kiosks[1]!.command('kiosk:assist', {}));
    const { context, page } = await openScreen(browser, hall.server.url, { role: 'manager', token: 'demo-manager-1', path: '/manager/', viewport: { width: 1440, height: 900 } });
    await page.getByTestId('counter-row-1').getByText('A001').waitFor(WAIT);
    await check(page, 'manager signed out');
    await page.locator('input[name=login]').fill('manager');
    await page.locator('input[name=password]').fill('demo1234');
    await page.locator('input[name=password]').press('Enter');
    await page.getByTestId('manager-who').waitFor(WAIT);
    await page.getByRole('button', { name: '前往大厅取号机 1处理求助' }).click();
    await page.getByTestId('assist-taken').waitFor(WAIT);
    await check(page, 'manager signed in, with requests for help open and taken');
    for (const k of kiosks) k.close();
    await page.getByTestId('counter-row-1').getByRole('button', { name: '释放 1 号窗口' }).click();
    await page.getByTestId('release-dialog').waitFor(WAIT);
    await check(page, 'manager release dialog');
    await page.getByTestId('release-dialog').getByRole('button', { name: '取消' }).click();
    await page.getByTestId('counter-row-2').getByRole('button', { name: '调整事项（2 号窗口）' }).click();
    await page.getByTestId('services-dialog').waitFor(WAIT);
    await check(page, 'manager counter services dialog (潮汐窗口)');
    await context.close();
  });

  it('tracking page on a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${hall.server.url}/track/?t=${trackingToken}`);
    await page.getByText('A001').first().waitFor(WAIT);
    await check(page, 'tracking page');
    await context.close();
  });
});
