// The pages inside the Electron shell, with a fake `window.hallShell` injected before any page script runs:
// the token comes from hallShell.device() (local storage stays empty, no pairing screen), the kiosk prints through
// printTicket (never the ID number) and offers 补打 when printing fails; the displays take their token from the shell.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TicketPrintJob, type ReprintRequest, type ShellDevice, type ShellError } from '../../shared/electron-api.ts';
import type { TrackView } from '../../shared/protocol.ts';
import { ensurePagesBuilt, launchChromium, openScreen, screenshot, startTestServer, type Role, type TestHallServer } from './harness.ts';

let hall: TestHallServer;
let browser: Browser;
const pages: Page[] = [];

const WAIT = { timeout: 10_000 };
const YOUNG_ID = '110105200001010016'; // born 2000-01-01

type ShellCall = { method: 'device' } | { method: 'printTicket'; args: unknown } | { method: 'reprintTicket'; args: ReprintRequest };

interface FakeShellConfig {
  /** null: device() answers NOT_CONFIGURED */
  device: ShellDevice | null;
  /** device() answers after this long, so a pairing screen shown while waiting would be seen */
  deviceDelayMs: number;
}

/** What the fake shell and the watcher leave on `window` for the test to read and steer. */
interface ShellTestWindow {
  hallShell?: unknown;
  __shellCalls: ShellCall[];
  /** set to an error to make printTicket fail with it */
  __shellFailPrint: ShellError | null;
  /** true once a pairing form was ever in the page */
  __pairingSeen: boolean;
}

/** Runs in the page before its scripts (serialised by Playwright: self-contained). */
function installFakeShell(config: FakeShellConfig): void {
  const w = window as unknown as ShellTestWindow;
  w.__shellCalls = [];
  w.__shellFailPrint = null;
  w.__pairingSeen = false;
  w.hallShell = {
    apiVersion: 1,
    device: () => {
      w.__shellCalls.push({ method: 'device' });
      return new Promise((resolve) =>
        setTimeout(
          () =>
            resolve(
              config.device
                ? { ok: true, data: config.device }
                : { ok: false, error: { code: 'NOT_CONFIGURED', message: '本机尚未完成设置' } },
            ),
          config.deviceDelayMs,
        ),
      );
    },
    printTicket: async (job: { ticketId: string; number: string }) => {
      w.__shellCalls.push({ method: 'printTicket', args: JSON.parse(JSON.stringify(job)) as unknown });
      if (w.__shellFailPrint) return { ok: false, error: w.__shellFailPrint };
      return { ok: true, data: { ticketId: job.ticketId, number: job.number, reprint: false, printer: 'POS-80C' } };
    },
    reprintTicket: async (request: { ticketId: string }) => {
      w.__shellCalls.push({ method: 'reprintTicket', args: { ticketId: request.ticketId } });
      return { ok: true, data: { ticketId: request.ticketId, number: 'A001', reprint: true, printer: 'POS-80C' } };
    },
  };
  const watch = () => {
    if (document.querySelector('#pairing-title')) w.__pairingSeen = true;
  };
  new MutationObserver(watch).observe(document, { childList: true, subtree: true });
}

function device(screen: ShellDevice['screen'], token: string, extra: Partial<ShellDevice> = {}): ShellDevice {
  return { screen, serverUrl: hall.server.url, token, counterNumber: null, canPrint: false, appVersion: '0.1.0', ...extra };
}

async function openInShell(role: Role, path: string, config: FakeShellConfig, viewport = { width: 1080, height: 1920 }): Promise<Page> {
  const { page } = await openScreen(browser, hall.server.url, {
    role,
    path,
    viewport,
    touch: role === 'kiosk',
    beforeOpen: (context) => context.addInitScript(installFakeShell, config),
  });
  pages.push(page);
  return page;
}

const shellCalls = (page: Page) => page.evaluate(() => (window as unknown as ShellTestWindow).__shellCalls);
const pairingSeen = (page: Page) => page.evaluate(() => (window as unknown as ShellTestWindow).__pairingSeen);
const storedToken = (page: Page, role: Role) => page.evaluate((r) => localStorage.getItem(`hall.token.${r}`), role);

async function printJobs(page: Page): Promise<unknown[]> {
  return (await shellCalls(page)).flatMap((c) => (c.method === 'printTicket' ? [c.args] : []));
}

async function takeTicket(page: Page, category: string, service: string): Promise<string> {
  await page.getByRole('tab', { name: new RegExp(category) }).tap();
  await page.getByRole('button', { name: new RegExp(service) }).tap();
  await page.getByRole('heading', { name: service }).waitFor(WAIT);
  await page.getByRole('button', { name: '确认取号' }).tap();
  await page.getByTestId('ticket-number').waitFor(WAIT);
  return (await page.getByTestId('ticket-number').textContent()) ?? '';
}

beforeAll(async () => {
  await ensurePagesBuilt();
  hall = await startTestServer();
  browser = await launchChromium();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    const slug = ctx.task.name.replace(/[^\w\u4e00-\u9fff]+/g, '-').slice(0, 40);
    for (const [i, page] of pages.entries()) await screenshot(page, `failure-shell-${slug}-${i}`).catch(() => {});
  }
  for (const page of pages.splice(0)) await page.context().close();
});

afterAll(async () => {
  await browser?.close();
  await hall?.dispose();
});

describe('inside the Electron shell', () => {
  it('the kiosk takes its token from the shell: nothing in local storage, never a pairing screen, and it issues', async () => {
    const kiosk = await openInShell('kiosk', '/kiosk/?ticketSeconds=60', { device: device('kiosk', 'demo-kiosk-1'), deviceDelayMs: 300 });
    await kiosk.getByRole('status', { name: /已连接/ }).waitFor(WAIT);
    expect(await storedToken(kiosk, 'kiosk')).toBeNull();
    expect((await shellCalls(kiosk)).filter((c) => c.method === 'device').length).toBeGreaterThanOrEqual(1);
    const number = await takeTicket(kiosk, '户籍与身份证', '居民身份证办理');
    expect(number).toMatch(/^A\d{3}$/);
    // canPrint is false: no print job, no print status on the ticket screen.
    expect(await printJobs(kiosk)).toEqual([]);
    expect(await kiosk.getByTestId('print-status').count()).toBe(0);
    expect(await pairingSeen(kiosk)).toBe(false);
  });

  it('prints an issued ticket: number, service and tracking address, and never the ID number typed for it', async () => {
    const kiosk = await openInShell('kiosk', '/kiosk/?ticketSeconds=60', { device: device('kiosk', 'demo-kiosk-1', { canPrint: true }), deviceDelayMs: 0 });
    await kiosk.getByRole('status', { name: /已连接/ }).waitFor(WAIT);
    await kiosk.getByRole('tab', { name: /户籍与身份证/ }).tap();
    await kiosk.getByRole('button', { name: /户口迁移登记/ }).tap();
    await kiosk.getByRole('button', { name: /输入身份证号取号/ }).tap();
    for (const ch of YOUNG_ID) await kiosk.getByRole('button', { name: `数字 ${ch}`, exact: true }).tap();
    await expect.poll(() => kiosk.getByTestId('id-status').textContent(), WAIT).toBe('✓ 号码校验通过');
    await kiosk.getByRole('button', { name: '取号', exact: true }).tap();
    await kiosk.getByTestId('ticket-number').waitFor(WAIT);
    const number = await kiosk.getByTestId('ticket-number').textContent();

    await expect.poll(async () => (await printJobs(kiosk)).length, WAIT).toBe(1);
    const [raw] = await printJobs(kiosk);
    const parsed = TicketPrintJob.safeParse(raw);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const job = TicketPrintJob.parse(raw);
    expect(job.number).toBe(number);
    expect(job.serviceName).toBe('户口迁移登记');
    expect(job.hallName.length).toBeGreaterThan(0);
    expect(job.timeZone).toBe('Asia/Shanghai');
    expect(job.priority).toBe(false);
    const shownUrl = await kiosk.locator('img[data-tracking-url]').getAttribute('data-tracking-url');
    expect(job.trackingUrl).toBe(shownUrl);
    expect(job.trackingUrl.startsWith(`${hall.server.url}/track/?t=`)).toBe(true);
    // The tracking address on the paper leads to this very ticket.
    const token = new URL(job.trackingUrl).searchParams.get('t') ?? '';
    const tracked = (await (await fetch(`${hall.server.url}/api/v1/track/${encodeURIComponent(token)}`)).json()) as TrackView;
    expect(tracked.number).toBe(number);
    expect(job.notes.some((line) => line.includes('过号'))).toBe(true);
    // No ID number, nor any piece of it, anywhere in what went to the shell.
    const sent = JSON.stringify(await shellCalls(kiosk));
    expect(sent).not.toContain(YOUNG_ID);
    expect(sent).not.toContain('20000101');
    expect(sent).not.toContain('110105');
    await kiosk.getByTestId('print-status').and(kiosk.locator('[data-print="printed"]')).waitFor(WAIT);
    expect(await kiosk.getByTestId('print-status').textContent()).toBe('号票已打印，请取走号票。');
    expect(await kiosk.getByRole('button', { name: '补打' }).count()).toBe(0);
  });

  it('a failed print says so in plain words and keeps the ticket on screen; 补打 reprints that ticket', async () => {
    const kiosk = await openInShell('kiosk', '/kiosk/?ticketSeconds=60', { device: device('kiosk', 'demo-kiosk-1', { canPrint: true }), deviceDelayMs: 0 });
    await kiosk.getByRole('status', { name: /已连接/ }).waitFor(WAIT);
    await kiosk.evaluate(() => {
      (window as unknown as ShellTestWindow).__shellFailPrint = { code: 'PRINTER_NOT_FOUND', message: '找不到打印机，请联系工作人员' };
    });
    const number = await takeTicket(kiosk, '户籍与身份证', '居民身份证办理');
    const alert = kiosk.getByRole('alert').filter({ hasText: '打印失败' });
    await alert.waitFor(WAIT);
    expect(await alert.textContent()).toContain(`打印失败：找不到打印机，请联系工作人员。请记下您的号码 ${number}，或点击“补打”。`);
    // The ticket stays on screen with its number and QR code.
    expect(await kiosk.getByTestId('ticket-number').textContent()).toBe(number);
    expect(await kiosk.locator('img[data-tracking-url]').count()).toBe(1);
    await screenshot(kiosk, 'kiosk-shell-print-failed');

    const [failedJob] = await printJobs(kiosk);
    const ticketId = TicketPrintJob.parse(failedJob).ticketId;
    await kiosk.getByRole('button', { name: '补打', exact: true }).tap();
    await expect.poll(async () => (await shellCalls(kiosk)).filter((c) => c.method === 'reprintTicket'), WAIT).toEqual([{ method: 'reprintTicket', args: { ticketId } }]);
    await kiosk.locator('[data-testid="print-status"][data-print="reprinted"]').waitFor(WAIT);
    expect(await kiosk.getByTestId('print-status').textContent()).toBe('已补打，请取走号票。');
    expect(await kiosk.getByTestId('ticket-number').textContent()).toBe(number);
    // Printing was tried once; the reprint went through reprintTicket, not a second print.
    expect(await printJobs(kiosk)).toHaveLength(1);
  });

  it('the hall display takes its token from the shell', async () => {
    const display = await openInShell('display', '/display/', { device: device('display', 'demo-display-1'), deviceDelayMs: 300 }, { width: 1920, height: 1080 });
    await display.getByRole('status', { name: /已连接/ }).waitFor(WAIT);
    expect(await storedToken(display, 'display')).toBeNull();
    expect(await pairingSeen(display)).toBe(false);
  });

  it('the counter display takes its token and its counter number from the shell', async () => {
    const cd = await openInShell(
      'counter-display',
      '/counter-display/',
      { device: device('counter-display', 'demo-display-1', { counterNumber: 3 }), deviceDelayMs: 0 },
      { width: 1280, height: 400 },
    );
    await cd.getByRole('status', { name: /已连接/ }).waitFor(WAIT);
    await cd.getByTestId('cd-state').waitFor(WAIT);
    expect(await cd.locator('.cd__counter-number').textContent()).toBe('3');
    expect(await storedToken(cd, 'counter-display')).toBeNull();
    expect(await pairingSeen(cd)).toBe(false);
  });

  it('a token the server refuses is explained without offering the browser pairing form', async () => {
    const display = await openInShell('display', '/display/', { device: device('display', 'revoked-token'), deviceDelayMs: 0 }, { width: 1920, height: 1080 });
    const banner = display.getByRole('alert').filter({ hasText: '服务器拒绝了这台设备' });
    await banner.waitFor(WAIT);
    expect(await banner.textContent()).toContain('请联系工作人员在本机设置中重新配对。');
    expect(await display.getByRole('button', { name: '重新配对' }).count()).toBe(0);
    expect(await pairingSeen(display)).toBe(false);
  });

  it('a shell that is not set up says so and can be asked again', async () => {
    const kiosk = await openInShell('kiosk', '/kiosk/', { device: null, deviceDelayMs: 0 });
    await kiosk.getByRole('alert').filter({ hasText: '无法读取本机设置：本机尚未完成设置。请联系工作人员。' }).waitFor(WAIT);
    const asked = (await shellCalls(kiosk)).length;
    await kiosk.getByRole('button', { name: '重新读取' }).tap();
    await expect.poll(async () => (await shellCalls(kiosk)).length, WAIT).toBeGreaterThan(asked);
    expect(await pairingSeen(kiosk)).toBe(false);
  });
});
