// End-to-end harness: a real hall server on loopback port 0 serving the built pages, and the system Chromium.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startHallServer, type HallServerOptions, type RunningHallServer } from '../../server/hall-server.ts';
import { silentLogger } from '../../server/log.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
export const STATIC_ROOT = join(PROJECT_ROOT, 'dist', 'renderer');
export const RESULTS_DIR = join(PROJECT_ROOT, 'test-results');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** `npm test` builds first; a direct `vitest run test/e2e` builds the pages once when they are missing. */
export async function ensurePagesBuilt(): Promise<void> {
  if (existsSync(join(STATIC_ROOT, 'kiosk', 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: join(PROJECT_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface TestHallServer {
  server: RunningHallServer;
  dataDir: string;
  /** stops the server, keeping the data dir (for restarts) */
  stop(): Promise<void>;
  /** starts again on the same data dir and port */
  restart(): Promise<void>;
  /** stops and removes the data dir */
  dispose(): Promise<void>;
}

export async function startTestServer(options: Pick<HallServerOptions, 'maxConnectionsPerDevice' | 'clock' | 'revocationCheckMs'> = {}): Promise<TestHallServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hall-e2e-'));
  const start = (port: number) => startHallServer({ ...options, dataDir, port, host: '127.0.0.1', log: silentLogger(), staticRoot: STATIC_ROOT });
  const handle: TestHallServer = {
    server: await start(0),
    dataDir,
    stop: () => handle.server.close(),
    restart: async () => {
      handle.server = await start(handle.server.port);
    },
    dispose: async () => {
      await handle.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export type Role = 'kiosk' | 'counter' | 'display' | 'counter-display' | 'manager';

/**
 * Replaces speechSynthesis.speak with a recorder (the headless browser has no voices): every utterance's text
 * lands in window.__spoken, and `end` fires shortly after so the announcer's queue moves on as with a real voice.
 */
const SPEECH_SPY = `
  (() => {
    window.__spoken = [];
    const synth = window.speechSynthesis;
    if (!synth) return;
    synth.speak = (utterance) => {
      window.__spoken.push({ text: utterance.text, lang: utterance.lang, at: performance.now() });
      setTimeout(() => utterance.dispatchEvent(new Event('end')), 30);
    };
  })();
`;

export interface OpenOptions {
  role: Role;
  /** device token put in local storage before the page loads; omit to go through the pairing screen */
  token?: string;
  path: string;
  viewport: { width: number; height: number };
  touch?: boolean;
  /** runs on the new context before the page opens (e.g. `context.addInitScript` for a fake Electron shell) */
  beforeOpen?: (context: BrowserContext) => Promise<unknown>;
}

export async function openScreen(browser: Browser, baseUrl: string, options: OpenOptions): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport,
    hasTouch: options.touch ?? false,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    deviceScaleFactor: 1,
  });
  if (options.token) {
    await context.addInitScript(
      ([role, token]) => {
        localStorage.setItem(`hall.token.${role}`, token);
      },
      [options.role, options.token] as const,
    );
  }
  await context.addInitScript(SPEECH_SPY);
  await context.addInitScript(CSP_RECORDER);
  await options.beforeOpen?.(context);
  const page = await context.newPage();
  await page.goto(`${baseUrl}${options.path}`);
  return { context, page };
}

export async function spokenTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => ((window as unknown as { __spoken?: { text: string }[] }).__spoken ?? []).map((u) => u.text));
}

/** Records what the page's content security policy blocked (server/http.ts PAGE_CSP). */
const CSP_RECORDER = () => {
  const blocked: string[] = [];
  (window as unknown as { __cspBlocked: string[] }).__cspBlocked = blocked;
  document.addEventListener('securitypolicyviolation', (e) => blocked.push(`${e.violatedDirective} ${e.blockedURI}`));
};

/** What the content security policy blocked on the page so far. */
export async function cspBlocked(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspBlocked?: string[] }).__cspBlocked ?? []);
}

/** Saves a screenshot of a screen, after checking its content security policy blocked nothing on it. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const blocked = await cspBlocked(page);
  if (blocked.length > 0) throw new Error(`${name}: the content security policy blocked ${blocked.join(', ')}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  // Let fonts settle and animations reach a frame worth keeping.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}
