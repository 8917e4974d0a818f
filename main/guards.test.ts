import { describe, expect, it } from 'vitest';
import { SHELL_CHANNELS, SetupInput, shellError } from '../shared/electron-api.ts';
import { hallPagePolicy, shellPagePolicy, ticketPagePolicy, withPolicy } from './content-policy.ts';
import { isBlockedShortcut, isTrustedSender, mayNavigate, mayUsePermission, SETUP_PAGE_URL, type KeyInput, type PagePolicy } from './guards.ts';
import { registerShellIpc, type IpcEventLike, type IpcMainPort, type ShellHandlers } from './ipc.ts';

const kiosk: PagePolicy = { hallOrigin: 'http://192.168.1.10:8080', pagePath: '/kiosk/' };
const unconfigured: PagePolicy = { hallOrigin: null, pagePath: null };

describe('navigation guard', () => {
  it("allows this screen's hall page and the shell's own pages", () => {
    expect(mayNavigate('http://192.168.1.10:8080/kiosk/', kiosk)).toBe(true);
    expect(mayNavigate('http://192.168.1.10:8080/kiosk', kiosk)).toBe(true);
    expect(mayNavigate('http://192.168.1.10:8080/kiosk/?lang=en#service', kiosk)).toBe(true);
    expect(mayNavigate('hall-shell://app/offline.html', kiosk)).toBe(true);
    expect(mayNavigate(SETUP_PAGE_URL, unconfigured)).toBe(true);
  });

  it('denies other hall pages, other origins and dangerous schemes', () => {
    for (const url of [
      'http://192.168.1.10:8080/manager/',
      'http://192.168.1.10:8080/kiosk-evil/',
      'http://192.168.1.10:8081/kiosk/',
      'https://192.168.1.10:8080/kiosk/',
      'https://www.baidu.com/',
      'file:///C:/Windows/System32/cmd.exe',
      'data:text/html,<script>alert(1)</script>',
      'javascript:alert(1)',
      'hall-shell://evil/setup.html',
      'not a url',
    ]) {
      expect(mayNavigate(url, kiosk), url).toBe(false);
    }
    expect(mayNavigate('http://192.168.1.10:8080/kiosk/', unconfigured)).toBe(false);
  });
});

describe('permission guard', () => {
  it('grants fullscreen to our pages only and denies everything else', () => {
    expect(mayUsePermission('fullscreen', 'http://192.168.1.10:8080/kiosk/', kiosk)).toBe(true);
    expect(mayUsePermission('fullscreen', 'https://evil.example/', kiosk)).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'serial', 'usb', 'display-capture', 'unknown']) {
      expect(mayUsePermission(permission, 'http://192.168.1.10:8080/kiosk/', kiosk), permission).toBe(false);
    }
  });
});

describe('IPC sender check', () => {
  const top = (url: string) => ({ url, parent: null });

  it('screen channels answer only the top frame of this screen\'s hall page', () => {
    expect(isTrustedSender(SHELL_CHANNELS.printTicket, top('http://192.168.1.10:8080/kiosk/'), kiosk)).toBe(true);
    expect(isTrustedSender(SHELL_CHANNELS.printTicket, { url: 'http://192.168.1.10:8080/kiosk/', parent: {} }, kiosk)).toBe(false);
    expect(isTrustedSender(SHELL_CHANNELS.printTicket, top('http://192.168.1.10:8080/manager/'), kiosk)).toBe(false);
    expect(isTrustedSender(SHELL_CHANNELS.device, top('https://evil.example/kiosk/'), kiosk)).toBe(false);
    expect(isTrustedSender(SHELL_CHANNELS.device, top(SETUP_PAGE_URL), kiosk)).toBe(false);
    expect(isTrustedSender(SHELL_CHANNELS.device, null, kiosk)).toBe(false);
  });

  it('setup channels answer only the shell\'s setup page', () => {
    expect(isTrustedSender(SHELL_CHANNELS.setupSave, top(SETUP_PAGE_URL), unconfigured)).toBe(true);
    expect(isTrustedSender(SHELL_CHANNELS.setupSave, top('hall-shell://app/offline.html'), kiosk)).toBe(false);
    expect(isTrustedSender(SHELL_CHANNELS.setupSave, top('http://192.168.1.10:8080/kiosk/'), kiosk)).toBe(false);
  });

  it('registered handlers refuse a foreign sender and a malformed payload before running', async () => {
    const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
    const ipcMain: IpcMainPort = { handle: (channel, listener) => handlers.set(channel, listener), on: (channel, listener) => handlers.set(channel, listener) };
    const calls: string[] = [];
    const saved: unknown[] = [];
    const refusedFrom: (string | null)[] = [];
    const ok = { ok: true as const, data: { serverUrl: 'http://192.168.1.10:8080', deviceKind: 'kiosk', protocolVersion: 1, businessDate: '2025-03-04' } };
    const shell: ShellHandlers = {
      device: async () => ({ ok: false, error: shellError('NOT_CONFIGURED') }),
      printTicket: async () => ({ ok: false, error: shellError('PRINT_FAILED') }),
      reprintTicket: async () => ({ ok: false, error: shellError('TICKET_UNKNOWN') }),
      heartbeat: () => calls.push('heartbeat'),
      setupDefaults: async () => ({ ok: false, error: shellError('NOT_CONFIGURED') }),
      setupPrinters: async () => ({ ok: true, data: [] }),
      setupVerify: async () => ok,
      setupSave: async (input) => {
        saved.push(input);
        return ok;
      },
    };
    registerShellIpc(ipcMain, shell, () => kiosk, (_channel, url) => refusedFrom.push(url));
    const save = handlers.get(SHELL_CHANNELS.setupSave)!;
    const input = SetupInput.parse({ role: 'kiosk', serverUrl: 'http://192.168.1.10:8080', token: 'demo-kiosk-1' });

    expect(await save({ senderFrame: top('http://192.168.1.10:8080/kiosk/') }, input)).toEqual({ ok: false, error: shellError('FORBIDDEN_SENDER') });
    expect(await save({ senderFrame: top(SETUP_PAGE_URL) }, { ...input, role: 'window' })).toEqual({ ok: false, error: shellError('INVALID_REQUEST') });
    expect(await save({ senderFrame: top(SETUP_PAGE_URL) }, input, 'extra')).toEqual({ ok: false, error: shellError('INVALID_REQUEST') });
    expect(saved).toEqual([]);
    expect(await save({ senderFrame: top(SETUP_PAGE_URL) }, input)).toEqual(ok);
    expect(saved).toEqual([input]);
    expect(refusedFrom).toEqual(['http://192.168.1.10:8080/kiosk/']);

    const print = handlers.get(SHELL_CHANNELS.printTicket)!;
    expect(await print({ senderFrame: top('http://192.168.1.10:8080/kiosk/') }, { number: 'A001', idNumber: '110101199003070011' })).toEqual({ ok: false, error: shellError('INVALID_REQUEST') });

    const heartbeat = handlers.get(SHELL_CHANNELS.heartbeat)!;
    heartbeat({ senderFrame: { url: 'http://192.168.1.10:8080/kiosk/', parent: {} } });
    heartbeat({ senderFrame: top('http://192.168.1.10:8080/kiosk/') });
    expect(calls).toEqual(['heartbeat']);
  });
});

describe('blocked shortcuts', () => {
  const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ type: 'keyDown', key: k, control: false, meta: false, alt: false, shift: false, ...mods });

  it('swallows reload, DevTools, zoom, print, close, fullscreen and history keys', () => {
    for (const input of [
      key('F5'), key('F11'), key('F12'), key('r', { control: true }), key('R', { control: true, shift: true }), key('I', { control: true, shift: true }),
      key('=', { control: true }), key('-', { control: true }), key('0', { control: true }), key('p', { control: true }), key('w', { control: true }),
      key('q', { meta: true }), key('F4', { alt: true }), key('ArrowLeft', { alt: true }), key('Alt'), key('BrowserBack'),
    ]) {
      expect(isBlockedShortcut(input), JSON.stringify(input)).toBe(true);
    }
  });

  it('lets typing through (the ID-number field needs digits and X)', () => {
    for (const input of [key('1'), key('X', { shift: true }), key('Backspace'), key('Enter'), key('Tab'), key('a'), key('F5', { type: 'keyUp' })]) {
      expect(isBlockedShortcut(input), JSON.stringify(input)).toBe(false);
    }
  });
});

describe('content security policy', () => {
  it('hall pages: scripts and connections only to the hall server, no frames, no objects', () => {
    const csp = hallPagePolicy('http://192.168.1.10:8080');
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("connect-src 'self' ws://192.168.1.10:8080");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-src 'none'");
    expect(hallPagePolicy('https://hall.example.gov.cn')).toContain('wss://hall.example.gov.cn');
  });

  it('shell pages talk to nothing; tickets run no script', () => {
    expect(shellPagePolicy()).toContain("connect-src 'none'");
    expect(shellPagePolicy()).toContain("default-src 'none'");
    expect(ticketPagePolicy()).not.toContain('script-src');
    expect(ticketPagePolicy()).toContain("default-src 'none'");
  });

  it("replaces whatever policy the server sent, whatever the header's case", () => {
    const headers = withPolicy({ 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] }, "default-src 'self'");
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'"] });
  });
});
