// The only file that imports electron in the main process: it wires the plain modules of main/ to Electron's APIs.
// Everything with a decision in it lives in those modules and is tested in Node; this file only connects them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, powerSaveBlocker, protocol, safeStorage, screen, session, type WebContents } from 'electron';
import { z } from 'zod';
import {
  SHELL_ROLES,
  shellError,
  TicketPrintJob,
  type DeviceProblemCode,
  type SetupCheck,
  type SetupInput,
  type ShellResult,
  type TicketPrintJobParsed,
} from '../shared/electron-api.ts';
import { hallServerCommand, waitForReadyLine } from './all-in-one.ts';
import { launchCommand, linuxAutostartDir, setLinuxAutostart, windowsLoginItem } from './autostart.ts';
import { backoffDelayMs } from './backoff.ts';
import { hallPagePolicy, withPolicy } from './content-policy.ts';
import { CrashTracker, DEFAULT_CRASH_POLICY, parseRelaunchJournal } from './crash-policy.ts';
import { healthReport, sendHealthReport } from './device-health.ts';
import { isBlockedShortcut, mayNavigate, mayUsePermission, SETUP_PAGE_URL, SHELL_SCHEME, type PagePolicy } from './guards.ts';
import { registerShellIpc, type IpcMainPort } from './ipc.ts';
import { pageUrl, screenOf, traitsOf } from './roles.ts';
import { RECONNECT_BACKOFF, fetchHealth, waitForServer } from './server-watch.ts';
import { configFromSetup, verifySetup } from './setup.ts';
import { ConfigError, localServerUrl, needsSetup, readConfigFile, resolveShellConfig, writeConfigFile, type ShellConfig } from './shell-config.ts';
import { FAULT_PAGE_URL, OFFLINE_PAGE_URL, shellResponse, ticketPageUrl } from './shell-pages.ts';
import { TicketJournal, TicketPrinterService, type RenderedTicket } from './ticket-printer.ts';
import { TOKEN_FILE, TokenStorageUnavailable, TokenStore } from './token-store.ts';
import { HEARTBEAT_INTERVAL_MS, Watchdog } from './watchdog.ts';
import { pickMonitor, screenWindowOptions, setupWindowOptions, ticketWindowOptions } from './window-options.ts';

const APP_NAMES = { zh: '政务服务排队叫号', en: 'Hall Queue' };
const LOCKDOWN_CSS = 'html { touch-action: pan-x pan-y; -webkit-user-select: none; user-select: none; -webkit-touch-callout: none; } img, a { -webkit-user-drag: none; }';
const SERVER_READY_TIMEOUT_MS = 60_000;
const PRELOAD = join(import.meta.dirname, 'preload.cjs');
const SERVER_SCRIPT = join(import.meta.dirname, 'hall-server.mjs');
const userArgs = app.isPackaged ? process.argv.slice(1) : process.argv.slice(2);

protocol.registerSchemesAsPrivileged([{ scheme: SHELL_SCHEME, privileges: { standard: true, secure: true } }]);

let config: ShellConfig;
let configProblem: string | null = null;
let quitting = false;
let screenWindow: BrowserWindow | null = null;
let setupWindow: BrowserWindow | null = null;
let hallServer: ChildProcess | null = null;
let hallServerUrl: string | null = null;
const ticketPages = new Map<string, string>();
const crashes = new CrashTracker();
const watchdog = new Watchdog();
let tokenStore: TokenStore;
let printer: TicketPrinterService;

function loadConfig(): void {
  try {
    config = resolveShellConfig(userArgs, app.getPath('userData'));
    configProblem = null;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    configProblem = err.message;
    config = resolveShellConfig(userArgs.filter((a) => !a.startsWith('--config')), join(app.getPath('userData'), 'unreadable-config'));
  }
}

function currentServerUrl(): string | null {
  return config.role === 'all-in-one' ? hallServerUrl : config.serverUrl;
}

function pagePolicy(): PagePolicy {
  const serverUrl = currentServerUrl();
  if (!config.role || !serverUrl) return { hallOrigin: null, pagePath: null };
  return { hallOrigin: new URL(serverUrl).origin, pagePath: traitsOf(screenOf(config.role, config.screen)).pagePath };
}

// ---------------------------------------------------------------- files in the app's data folder

const dataFile = (name: string) => join(app.getPath('userData'), name);

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function recentRelaunches(now: number): number[] {
  return parseRelaunchJournal(readText(dataFile('relaunches.json')), now, DEFAULT_CRASH_POLICY.windowMs);
}

function loadTicketJournal(): TicketJournal {
  const saved = z.array(TicketPrintJob).safeParse(JSON.parse(readText(dataFile('ticket-journal.json')) ?? '[]'));
  return new TicketJournal(saved.success ? saved.data : [], 50, (jobs) => writeFileSync(dataFile('ticket-journal.json'), JSON.stringify(jobs), { mode: 0o600 }));
}

// ---------------------------------------------------------------- health

function report(problem: { code: DeviceProblemCode; message: string; ticketNumber?: string; printer?: string } | null, status?: 'ok' | 'degraded' | 'fault'): void {
  const serverUrl = currentServerUrl();
  const token = tokenStore.read();
  if (!config.role || !serverUrl || !token) return;
  void sendHealthReport(serverUrl, token, healthReport(config.role, app.getVersion(), Date.now(), problem, status)).then((delivery) => {
    if (!delivery.delivered) console.warn(`device health not delivered (${delivery.status ?? 'network'})`);
  });
}

// ---------------------------------------------------------------- all-in-one server

async function ensureHallServer(): Promise<string> {
  if (hallServerUrl) return hallServerUrl;
  const command = hallServerCommand({
    execPath: process.execPath,
    serverScript: SERVER_SCRIPT,
    userDataDir: app.getPath('userData'),
    host: config.allInOne.host,
    port: config.allInOne.port,
    env: process.env,
  });
  const child = spawn(command.command, command.args, command.options);
  hallServer = child;
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const listening = await waitForReadyLine(child, SERVER_READY_TIMEOUT_MS);
  hallServerUrl = localServerUrl({ port: Number(new URL(listening).port) || config.allInOne.port });
  let restarts = 0;
  child.once('exit', (code) => {
    hallServer = null;
    hallServerUrl = null;
    if (quitting) return;
    console.warn(`hall server exited (${code}); restarting`);
    setTimeout(() => void ensureHallServer().then(loadHallPage, (err: unknown) => console.error(err)), backoffDelayMs(restarts++, RECONNECT_BACKOFF));
  });
  return hallServerUrl;
}

// ---------------------------------------------------------------- guards on every web contents

function guardContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!mayNavigate(url, pagePolicy())) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!mayNavigate(url, pagePolicy())) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function guardSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(mayUsePermission(permission, details.requestingUrl, pagePolicy())));
  ses.setPermissionCheckHandler((_contents, permission, origin, details) => mayUsePermission(permission, details.requestingUrl ?? origin, pagePolicy()));
  ses.setDevicePermissionHandler(() => false);
  // Pages talk to the hall server and nothing else: no CDN, no cloud, no stray tracker.
  ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (details, callback) => {
    const origin = pagePolicy().hallOrigin;
    const target = new URL(details.url);
    const httpOrigin = `${target.protocol.replace(/^ws/, 'http')}//${target.host}`;
    callback({ cancel: origin === null || httpOrigin !== origin });
  });
  ses.webRequest.onHeadersReceived({ urls: ['http://*/*', 'https://*/*'] }, (details, callback) => {
    const origin = pagePolicy().hallOrigin;
    const isDocument = details.resourceType === 'mainFrame' || details.resourceType === 'subFrame';
    if (origin && isDocument && details.url.startsWith(`${origin}/`)) {
      callback({ responseHeaders: withPolicy(details.responseHeaders ?? {}, hallPagePolicy(origin)) });
    } else {
      callback({});
    }
  });
}

// ---------------------------------------------------------------- the screen

function loadHallPage(): void {
  const win = screenWindow;
  const serverUrl = currentServerUrl();
  if (!win || win.isDestroyed() || !config.role || !serverUrl) return;
  void win.loadURL(pageUrl(serverUrl, screenOf(config.role, config.screen), config.counterNumber)).catch(() => undefined);
}

let reconnecting: AbortController | null = null;

/** The page could not load: show the offline page and wait for the server forever. */
function reconnect(): void {
  if (reconnecting || !screenWindow) return;
  const controller = new AbortController();
  reconnecting = controller;
  void screenWindow.loadURL(OFFLINE_PAGE_URL).catch(() => undefined);
  void waitForServer({
    isUp: async () => {
      const serverUrl = config.role === 'all-in-one' ? await ensureHallServer().catch(() => null) : config.serverUrl;
      return serverUrl !== null && (await fetchHealth(serverUrl)) !== null;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    signal: controller.signal,
  }).then((up) => {
    reconnecting = null;
    if (up) loadHallPage();
  });
}

function onPageDown(code: 'RENDERER_CRASHED' | 'PAGE_FROZEN', detail: string): void {
  const now = Date.now();
  const decision = crashes.crashed(now, recentRelaunches(now));
  watchdog.disarm();
  if (decision.action === 'reload') {
    report({ code, message: `${detail}，${Math.round(decision.delayMs / 1000)} 秒后重新加载` });
    setTimeout(loadHallPage, decision.delayMs);
  } else if (decision.action === 'relaunch') {
    report({ code: 'CRASH_LOOP', message: `页面反复崩溃（${crashes.count} 次），正在重启程序` }, 'fault');
    writeFileSync(dataFile('relaunches.json'), JSON.stringify([...recentRelaunches(now), now]));
    app.relaunch({ args: userArgs });
    app.exit(0);
  } else {
    report({ code: 'CRASH_LOOP', message: '重启后仍反复崩溃，已停用本机屏幕，稍后自动重试' }, 'fault');
    void screenWindow?.loadURL(FAULT_PAGE_URL).catch(() => undefined);
    setTimeout(loadHallPage, decision.retryMs);
  }
}

function openScreen(): void {
  if (!config.role) return;
  const screenRole = screenOf(config.role, config.screen);
  const traits = traitsOf(screenRole);
  const monitor = pickMonitor(screen.getAllDisplays(), screen.getPrimaryDisplay(), config.monitor);
  const win = new BrowserWindow(screenWindowOptions({ screen: screenRole, preloadPath: PRELOAD, monitor, devTools: !app.isPackaged, title: APP_NAMES.zh }));
  screenWindow = win;
  const contents = win.webContents;
  win.setMenu(null);
  contents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
  contents.on('zoom-changed', () => contents.setZoomLevel(0));
  if (traits.lockedDown) {
    powerSaveBlocker.start('prevent-display-sleep');
    contents.on('before-input-event', (event, input) => {
      if (isBlockedShortcut(input)) event.preventDefault();
    });
    win.on('close', (event) => {
      if (!quitting) event.preventDefault();
    });
  }
  contents.on('did-finish-load', () => {
    watchdog.arm(Date.now());
    if (traits.lockedDown) void contents.insertCSS(LOCKDOWN_CSS);
    if (config.hideCursor) void contents.insertCSS('* { cursor: none !important; }');
  });
  contents.on('did-fail-load', (_event, errorCode, _description, _url, isMainFrame) => {
    // -3 is ERR_ABORTED: our own navigation replaced the load, nothing failed.
    if (isMainFrame && errorCode !== -3) reconnect();
  });
  contents.on('render-process-gone', (_event, details) => onPageDown('RENDERER_CRASHED', `页面进程退出（${details.reason}）`));
  win.on('unresponsive', () => onPageDown('PAGE_FROZEN', '页面无响应'));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (screenWindow === win) screenWindow = null;
  });
  setInterval(() => {
    if (watchdog.check(Date.now())) onPageDown('PAGE_FROZEN', '页面心跳停止');
  }, HEARTBEAT_INTERVAL_MS).unref();
  applyAutostart(traits.lockedDown);
  loadHallPage();
}

function openSetup(): void {
  const monitor = pickMonitor(screen.getAllDisplays(), screen.getPrimaryDisplay(), config.monitor);
  setupWindow = new BrowserWindow(setupWindowOptions(PRELOAD, monitor, `${APP_NAMES.zh} · 设置`));
  setupWindow.setMenu(null);
  setupWindow.once('ready-to-show', () => setupWindow?.show());
  setupWindow.on('closed', () => {
    setupWindow = null;
    if (!screenWindow) app.quit();
  });
  void setupWindow.loadURL(SETUP_PAGE_URL);
  if (configProblem) dialog.showErrorBox('配置文件有误 / Config file problem', configProblem);
}

function applyAutostart(lockedDownByDefault: boolean): void {
  if (!app.isPackaged) return;
  const enabled = config.autoStart ?? lockedDownByDefault;
  const command = launchCommand(process.execPath, process.env, userArgs.filter((a) => a !== '--setup'));
  if (process.platform === 'win32') app.setLoginItemSettings(windowsLoginItem(enabled, command));
  else if (process.platform === 'linux') setLinuxAutostart(linuxAutostartDir(process.env, app.getPath('home')), enabled, command, APP_NAMES);
}

// ---------------------------------------------------------------- printing

async function renderTicket(html: string): Promise<RenderedTicket> {
  const key = randomUUID();
  ticketPages.set(key, html);
  const win = new BrowserWindow(ticketWindowOptions());
  const close = () => {
    ticketPages.delete(key);
    if (!win.isDestroyed()) win.destroy();
  };
  try {
    await win.loadURL(ticketPageUrl(key));
    const measured: unknown = await win.webContents.executeJavaScript('document.getElementById("ticket").getBoundingClientRect().height').catch(() => null);
    return {
      contentHeightPx: typeof measured === 'number' ? measured : null,
      print: (options) => new Promise((resolve) => win.webContents.print(options, (success, failureReason) => resolve({ success, failureReason }))),
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

async function printerNames(): Promise<string[]> {
  const contents = screenWindow?.webContents ?? setupWindow?.webContents;
  return contents ? (await contents.getPrintersAsync()).map((p) => p.name) : [];
}

function makePrinter(): TicketPrinterService {
  return new TicketPrinterService({
    port: { printerNames, render: renderTicket },
    printer: config.printer,
    now: Date.now,
    journal: loadTicketJournal(),
    onHealth: (problem) =>
      report(problem ? { code: problem.code, message: problem.message, ticketNumber: problem.ticketNumber, ...(problem.printer ? { printer: problem.printer } : {}) } : null),
  });
}

// ---------------------------------------------------------------- IPC

async function verifyFromSetup(input: SetupInput): Promise<ShellResult<SetupCheck>> {
  if (input.role !== 'all-in-one') return verifySetup(input);
  config = { ...config, role: 'all-in-one' };
  const serverUrl = await ensureHallServer().catch(() => null);
  return serverUrl ? verifySetup({ ...input, serverUrl }) : { ok: false, error: shellError('SERVER_UNREACHABLE') };
}

function registerIpc(): void {
  const handlers = {
    device: async () => {
      const token = tokenStore.read();
      const serverUrl = currentServerUrl();
      if (!config.role || !serverUrl || !token) return { ok: false as const, error: shellError('NOT_CONFIGURED') };
      const screenRole = screenOf(config.role, config.screen);
      return {
        ok: true as const,
        data: { screen: screenRole, serverUrl, token, counterNumber: config.counterNumber, canPrint: traitsOf(screenRole).prints && config.printer !== null, appVersion: app.getVersion() },
      };
    },
    printTicket: async (job: TicketPrintJobParsed) =>
      config.role && traitsOf(screenOf(config.role, config.screen)).prints ? printer.print(job) : { ok: false as const, error: shellError('NOT_A_KIOSK') },
    reprintTicket: async ({ ticketId }: { ticketId: string }) =>
      config.role && traitsOf(screenOf(config.role, config.screen)).prints ? printer.reprint(ticketId) : { ok: false as const, error: shellError('NOT_A_KIOSK') },
    heartbeat: () => watchdog.beat(Date.now()),
    setupDefaults: async () => ({
      ok: true as const,
      data: {
        role: config.role,
        screen: config.screen ?? null,
        serverUrl: config.role === 'all-in-one' ? localServerUrl(config.allInOne) : config.serverUrl,
        printerName: config.printer?.name ?? null,
        counterNumber: config.counterNumber,
        roles: SHELL_ROLES,
      },
    }),
    setupPrinters: async () => {
      const contents = setupWindow?.webContents;
      const printers = contents ? await contents.getPrintersAsync() : [];
      return { ok: true as const, data: printers.map((p) => ({ name: p.name, displayName: p.displayName })) };
    },
    setupVerify: verifyFromSetup,
    setupSave: async (input: SetupInput): Promise<ShellResult<SetupCheck>> => {
      const check = await verifyFromSetup(input);
      if (!check.ok) return check;
      try {
        tokenStore.write(input.token);
      } catch (err) {
        if (err instanceof TokenStorageUnavailable) return { ok: false, error: shellError('STORAGE_UNAVAILABLE') };
        throw err;
      }
      let previous = {};
      try {
        previous = readConfigFile(config.configPath);
      } catch {
        previous = {};
      }
      writeConfigFile(config.configPath, configFromSetup(input, check.data, previous));
      loadConfig();
      printer = makePrinter();
      const finished = setupWindow;
      openScreen();
      finished?.destroy();
      return check;
    },
  };
  registerShellIpc(ipcMain as unknown as IpcMainPort, handlers, pagePolicy, (channel, url) => console.warn(`refused ${channel} from ${url ?? 'unknown frame'}`));
}

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  loadConfig();
  tokenStore = new TokenStore(dataFile(TOKEN_FILE), safeStorage);
  printer = makePrinter();
  Menu.setApplicationMenu(null);
  protocol.handle(SHELL_SCHEME, (request) => {
    const answer = shellResponse(request.url, ticketPages);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });
  guardSession();
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  registerIpc();
  if (config.role === 'all-in-one') await ensureHallServer().catch((err: unknown) => console.error(err));
  if (needsSetup(config, tokenStore.read() !== null) || configProblem) openSetup();
  else openScreen();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = screenWindow ?? setupWindow;
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('before-quit', () => {
    quitting = true;
    reconnecting?.abort();
    hallServer?.kill();
  });
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(start);
}
