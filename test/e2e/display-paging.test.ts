// Hall display paging in real Chromium: the demo hall (12 services, 8 counters) with more calls and services
// than fit, tickets issued through the REST API and called by eight signed-in clerks over real sockets.
// Proves: a page indicator appears, no row ever sticks out of its table's space, pages turn by themselves and
// together show every row, a new call shows at once on page 1 highlighted, and an area display pages its own rows.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IssueTicketResult } from '../../shared/protocol.ts';
import { connectClient, okData, type TestClient } from '../helpers/hall.ts';
import { ensurePagesBuilt, launchChromium, openScreen, screenshot, startTestServer, type TestHallServer } from './harness.ts';

const WAIT = { timeout: 10_000 };
/** services that need no ID number, so the kiosk API issues them without one */
const SERVICES = ['id-card', 'passport', 'social-insurance', 'pension', 'medical-insurance', 'company', 'tax', 'consult', 'pickup'];
const COUNTERS = [1, 2, 3, 4, 5, 6, 7, 8];
const TABLES = ['recent-calls', 'waiting-table'] as const;

let hall: TestHallServer;
let browser: Browser;
let display: Page;
let areaDisplay: Page | null = null;
const clerks = new Map<number, TestClient>();
let issued = 0;
/** every call made, oldest first */
const callLog: { number: string; counter: number }[] = [];

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

async function issue(serviceId: string): Promise<string> {
  issued += 1;
  const res = await fetch(`${hall.server.url}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-1' },
    body: JSON.stringify({ serviceId, idempotencyKey: `paging-e2e-${issued.toString().padStart(4, '0')}` }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as IssueTicketResult).ticket.number;
}

/** One clerk calls the next ticket and serves it at once, so the counter is free for the next call. Null: nothing to call. */
async function callAndServe(counter: number): Promise<string | null> {
  const clerk = clerks.get(counter)!;
  const ack = await clerk.command<{ ticket: { number: string } | null }>('counter:call-next', {});
  if (!ack.ok) return null;
  okData(await clerk.command('counter:start', {}));
  okData(await clerk.command('counter:complete', { outcome: 'concluded' }));
  const number = ack.data.ticket?.number ?? null;
  if (number !== null) callLog.push({ number, counter });
  return number;
}

interface TableState {
  page: string | null;
  pages: number;
  rows: string[];
  latestFirst: boolean;
  /** rows whose box leaves the space given to the table, with by how much */
  overflow: string[];
  /** the table itself leaves that space */
  tableOverflow: number;
}

/** Runs in the page: the visible rows of a paged table and whether each lies wholly inside its space. */
function readTable(testId: string): TableState {
  const pager = document.querySelector(`[data-testid="${testId}-pager"]`)!;
  const table = document.querySelector<HTMLTableElement>(`table[data-testid="${testId}"]`)!;
  const box = pager.getBoundingClientRect();
  const rows = [...table.tBodies[0]!.rows];
  const overflow: string[] = [];
  for (const row of rows) {
    const r = row.getBoundingClientRect();
    if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5 || r.height === 0) {
      overflow.push(`${row.textContent} top ${r.top - box.top} bottom ${r.bottom - box.bottom}`);
    }
  }
  const first = rows[0];
  return {
    page: document.querySelector(`[data-testid="${testId}-page"]`)?.textContent ?? null,
    pages: Number(table.dataset.pages),
    rows: rows.map((r) => r.dataset.ticket ?? r.dataset.service ?? ''),
    latestFirst: first?.classList.contains('recent__row--latest') ?? false,
    overflow,
    tableOverflow: Math.max(0, table.getBoundingClientRect().bottom - box.bottom),
  };
}

const read = (page: Page, testId: string) => page.evaluate(readTable, testId);

/** Watches a table until every page has been shown; checks each page's rows are whole and inside; returns rows per page. */
async function visitAllPages(page: Page, testId: string): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  const first = await read(page, testId);
  await until(
    async () => {
      const state = await read(page, testId);
      expect(state.overflow, `${testId} page ${state.page}: rows outside their space`).toEqual([]);
      expect(state.tableOverflow, `${testId} page ${state.page}: table taller than its space`).toBeLessThanOrEqual(0.5);
      expect(state.rows.length, `${testId} page ${state.page} is empty`).toBeGreaterThan(0);
      seen.set(state.page ?? '1/1', state.rows);
      return seen.size;
    },
    (size) => size === first.pages,
    `${testId}: all ${first.pages} pages shown`,
    first.pages * 4_000,
  );
  return seen;
}

beforeAll(async () => {
  await ensurePagesBuilt();
  hall = await startTestServer();
  browser = await launchChromium();
  for (const n of COUNTERS) {
    const clerk = await connectClient(hall.server.url, '/counter', `demo-counter-${n}`);
    okData(await clerk.command('staff:sign-in', { login: `clerk${n}`, password: 'demo1234' }));
    clerks.set(n, clerk);
  }
  // A busy morning: 36 tickets over nine services; 24 of them called and served, every counter taking part.
  for (let i = 0; i < 36; i++) await issue(SERVICES[i % SERVICES.length]!);
  let calls = 0;
  while (calls < 24) {
    let round = 0;
    for (const n of COUNTERS) if ((await callAndServe(n)) !== null) round += 1;
    if (round === 0) throw new Error('no counter could call');
    calls += round;
  }
  ({ page: display } = await openScreen(browser, hall.server.url, {
    role: 'display',
    token: 'demo-display-1',
    path: '/display/?rows=4&pageSeconds=1',
    viewport: { width: 1080, height: 1920 },
  }));
  await display.getByRole('status', { name: /已连接/ }).waitFor(WAIT);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const slug = ctx.task.name.replace(/[^\w\u4e00-\u9fff]+/g, '-').slice(0, 40);
  await screenshot(display, `failure-paging-${slug}`).catch(() => {});
  if (areaDisplay) await screenshot(areaDisplay, `failure-paging-${slug}-area`).catch(() => {});
});

afterAll(async () => {
  for (const clerk of clerks.values()) clerk.close();
  await browser?.close();
  await hall?.dispose();
});

describe('hall display paging', () => {
  it('pages the recent calls (?rows=4) with an indicator, every page whole and inside its space', async () => {
    const state = await until(() => read(display, 'recent-calls'), (s) => s.pages === 5, 'twenty recent calls in five pages of four');
    expect(state.page).toMatch(/^[1-5]\/5$/);
    expect(await display.getByText('最近呼叫').isVisible()).toBe(true);

    const pages = await visitAllPages(display, 'recent-calls');
    expect([...pages.keys()].sort()).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    for (const rows of pages.values()) expect(rows.length).toBeLessThanOrEqual(4);
    // Together the pages show each of the twenty calls once, newest first.
    const all = ['1/5', '2/5', '3/5', '4/5', '5/5'].flatMap((p) => pages.get(p)!);
    expect(all).toEqual(callLog.slice(-20).reverse().map((c) => c.number));

    // The waiting list gets the rest of the portrait screen and is whole on each of its pages as well.
    const waiting = await read(display, 'waiting-table');
    expect(waiting.overflow).toEqual([]);
    const services = [...(await visitAllPages(display, 'waiting-table')).values()].flat();
    expect(services).toHaveLength(12);
    expect(new Set(services).size).toBe(12);
  });

  it('turns the page by itself (?pageSeconds=1)', async () => {
    const before = (await read(display, 'recent-calls')).page;
    const after = await until(() => read(display, 'recent-calls'), (s) => s.page !== before, 'the page to turn');
    expect(after.page).toMatch(/^[1-5]\/5$/);
    expect(after.page).not.toBe(before);
  });

  it('shows a new call at once on page 1, highlighted, and restarts from there', async () => {
    // Record every state of the recent calls the screen ever shows, from inside the page.
    await display.evaluate(() => {
      const log: { page: string | null; first: string | null; latest: boolean; all: string[] }[] = [];
      (window as unknown as { __recentLog: typeof log }).__recentLog = log;
      const section = document.querySelector('.recent')!;
      const record = () => {
        const rows = [...section.querySelectorAll<HTMLTableRowElement>('table[data-testid="recent-calls"] tbody tr')];
        log.push({
          page: section.querySelector('[data-testid="recent-calls-page"]')?.textContent ?? null,
          first: rows[0]?.dataset.ticket ?? null,
          latest: rows[0]?.classList.contains('recent__row--latest') ?? false,
          all: rows.map((r) => r.dataset.ticket ?? ''),
        });
      };
      new MutationObserver(record).observe(section, { subtree: true, childList: true, characterData: true, attributes: true });
      record();
    });
    // Wait for page 2 of 5: from there the next turn would be page 3, so page 1 can only come from the call.
    await until(() => read(display, 'recent-calls'), (s) => s.page === '2/5', 'page 2 of the recent calls');
    await issue('consult');
    // Counter 7 calls whoever is next for it: a ticket never called before, so a row the list has not had.
    const number = (await callAndServe(7))!;
    expect(number).toMatch(/^[A-Z]\d{3}$/);

    const state = await until(() => read(display, 'recent-calls'), (s) => s.rows[0] === number, `${number} on the first row`);
    expect(state.latestFirst).toBe(true);

    const log = await display.evaluate(() => (window as unknown as { __recentLog: { page: string | null; first: string | null; latest: boolean; all: string[] }[] }).__recentLog);
    const firstShown = log.findIndex((entry) => entry.all.includes(number));
    expect(firstShown).toBeGreaterThan(0);
    // The first frame with the new call is page 1 with it on top, highlighted; the frame before was page 2 (or 3), not the last.
    expect(log[firstShown]).toMatchObject({ page: '1/5', first: number, latest: true });
    expect(log[firstShown - 1]!.page).toMatch(/^[23]\/5$/);
    await display.waitForTimeout(300);
    await screenshot(display, 'display-paging');
  });

  it('pages an area display (?area=1F, default ?rows=) over its own counters and services only', async () => {
    ({ page: areaDisplay } = await openScreen(browser, hall.server.url, {
      role: 'display',
      token: 'demo-display-1',
      path: '/display/?area=1F&pageSeconds=1',
      viewport: { width: 1080, height: 1920 },
    }));
    const state = await until(() => read(areaDisplay!, 'recent-calls'), (s) => s.pages >= 2, 'paged area calls');
    expect(state.page).toMatch(/^\d+\/\d+$/);
    const pages = await visitAllPages(areaDisplay, 'recent-calls');
    const shown = [...pages.keys()].sort((a, b) => parseInt(a) - parseInt(b)).flatMap((p) => pages.get(p)!);
    // Exactly the hall's twenty recent calls made at 1F counters (1–4, 7, 8), newest first; none from counter 5 or 6.
    const expected = callLog.slice(-20).reverse().filter((c) => c.counter !== 5 && c.counter !== 6);
    expect(expected.length).toBeLessThan(20);
    expect(shown).toEqual(expected.map((c) => c.number));
    // Default ?rows= (8) on a portrait screen.
    for (const rows of pages.values()) expect(rows.length).toBeLessThanOrEqual(8);
    // 1F counters serve all twelve services; the waiting list pages in the space left, every service on some page.
    const services = [...(await visitAllPages(areaDisplay, 'waiting-table')).values()].flat();
    expect(services).toHaveLength(12);
    expect(new Set(services).size).toBe(12);
    await screenshot(areaDisplay, 'display-paging-area');
  });

  it('pages the waiting list on a small landscape screen, still without cutting a row', async () => {
    await display.setViewportSize({ width: 1280, height: 720 });
    const waiting = await until(() => read(display, 'waiting-table'), (s) => s.pages >= 2, 'the waiting list in pages');
    expect(waiting.page).toMatch(/^\d+\/\d+$/);
    const services = [...(await visitAllPages(display, 'waiting-table')).values()].flat();
    expect(new Set(services).size).toBe(12);
    for (const id of TABLES) expect((await read(display, id)).overflow).toEqual([]);
    await visitAllPages(display, 'recent-calls');
    await screenshot(display, 'display-paging-landscape');
  });
});
