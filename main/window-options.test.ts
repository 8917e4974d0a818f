import { describe, expect, it } from 'vitest';
import { SCREEN_ROLES } from '../shared/electron-api.ts';
import { pickMonitor, screenWindowOptions, setupWindowOptions, ticketWindowOptions, type MonitorInfo } from './window-options.ts';

const primary: MonitorInfo = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } };
const second: MonitorInfo = { id: 2, bounds: { x: 1920, y: 0, width: 1080, height: 1920 } };

function optionsFor(screen: (typeof SCREEN_ROLES)[number], monitor = primary) {
  return screenWindowOptions({ screen, preloadPath: '/app/dist/main/preload.cjs', monitor, devTools: true, title: '排队叫号' });
}

describe('window options', () => {
  it.each(SCREEN_ROLES)('%s: isolated, sandboxed, no Node, no webview, our preload', (screen) => {
    const prefs = optionsFor(screen).webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/dist/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      zoomFactor: 1,
      backgroundThrottling: false,
    });
  });

  it.each(['kiosk', 'display', 'counter-display', 'evaluator'] as const)('%s: kiosk fullscreen, frameless, cannot be closed or left, no DevTools', (screen) => {
    const options = optionsFor(screen);
    expect(options).toMatchObject({ kiosk: true, fullscreen: true, frame: false, closable: false, minimizable: false, skipTaskbar: true, autoHideMenuBar: true, show: false });
    expect(options.webPreferences?.devTools).toBe(false);
  });

  it('displays and the kiosk play sound without a click; the counter terminal does not', () => {
    for (const screen of ['display', 'counter-display', 'kiosk'] as const) expect(optionsFor(screen).webPreferences?.autoplayPolicy).toBe('no-user-gesture-required');
    expect(optionsFor('counter').webPreferences?.autoplayPolicy).toBe('document-user-activation-required');
  });

  it('the counter terminal and manager are ordinary windows beside the business systems', () => {
    for (const screen of ['counter', 'manager'] as const) {
      const options = optionsFor(screen);
      expect(options.kiosk).toBeUndefined();
      expect(options.fullscreen).toBeUndefined();
      expect(options.webPreferences?.devTools).toBe(true);
    }
  });

  it('opens on the configured monitor, and on the primary one when that monitor is gone', () => {
    expect(pickMonitor([primary, second], primary, 1)).toBe(second);
    expect(pickMonitor([primary], primary, 1)).toBe(primary);
    expect(optionsFor('display', pickMonitor([primary, second], primary, 1))).toMatchObject({ x: 1920, y: 0, width: 1080, height: 1920 });
  });

  it('the setup window has the same security flags; the ticket window has no preload at all', () => {
    expect(setupWindowOptions('/p.cjs', primary, 'setup').webPreferences).toMatchObject({ preload: '/p.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, devTools: false });
    const ticket = ticketWindowOptions();
    expect(ticket.show).toBe(false);
    expect(ticket.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(ticket.webPreferences?.preload).toBeUndefined();
  });
});
