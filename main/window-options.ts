// The BrowserWindow options of each screen. Every screen gets the same security flags; locked-down screens add kiosk mode.
import type { BrowserWindowConstructorOptions, Rectangle, WebPreferences } from 'electron';
import type { ScreenRole } from '../shared/electron-api.ts';
import { traitsOf } from './roles.ts';

export interface MonitorInfo {
  id: number;
  bounds: Rectangle;
}

/** The monitor a screen opens on: the configured index in the OS's order, the primary one when that monitor is gone. */
export function pickMonitor(monitors: readonly MonitorInfo[], primary: MonitorInfo, index: number): MonitorInfo {
  return monitors[index] ?? primary;
}

/** Security flags no screen may go without; asserted by the tests and applied last so nothing overrides them. */
export function secureWebPreferences(preloadPath: string | null): WebPreferences {
  return {
    ...(preloadPath ? { preload: preloadPath } : {}),
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export interface ScreenWindowInput {
  screen: ScreenRole;
  preloadPath: string;
  monitor: MonitorInfo;
  /** developer builds keep DevTools; packaged hall machines never have them */
  devTools: boolean;
  title: string;
}

export function screenWindowOptions(input: ScreenWindowInput): BrowserWindowConstructorOptions {
  const traits = traitsOf(input.screen);
  const { x, y, width, height } = input.monitor.bounds;
  const placement = traits.lockedDown
    ? {
        x,
        y,
        width,
        height,
        // Kiosk mode is real lockdown only on macOS; on Windows and Linux it is fullscreen, hence the OS lockdown in docs/electron.md.
        kiosk: true,
        fullscreen: true,
        frame: false,
        resizable: false,
        movable: false,
        minimizable: false,
        maximizable: false,
        closable: false,
        skipTaskbar: true,
        alwaysOnTop: input.screen === 'kiosk' || input.screen === 'evaluator',
      }
    : { x: x + 40, y: y + 40, width: Math.min(1280, width - 80), height: Math.min(800, height - 80), minWidth: 800, minHeight: 600 };
  return {
    ...placement,
    title: input.title,
    show: false,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    webPreferences: {
      zoomFactor: 1,
      // A frozen or hidden hall screen must not be throttled: its heartbeat feeds the watchdog.
      backgroundThrottling: false,
      autoplayPolicy: traits.soundWithoutGesture ? 'no-user-gesture-required' : 'document-user-activation-required',
      devTools: input.devTools && !traits.lockedDown,
      disableDialogs: traits.lockedDown,
      ...secureWebPreferences(input.preloadPath),
    },
  };
}

/** The first-run setup window: an ordinary window on the chosen monitor, same security flags. */
export function setupWindowOptions(preloadPath: string, monitor: MonitorInfo, title: string): BrowserWindowConstructorOptions {
  const { x, y, width, height } = monitor.bounds;
  const w = Math.min(720, width);
  const h = Math.min(760, height);
  return {
    x: x + Math.round((width - w) / 2),
    y: y + Math.round((height - h) / 2),
    width: w,
    height: h,
    title,
    show: false,
    autoHideMenuBar: true,
    webPreferences: { zoomFactor: 1, devTools: false, ...secureWebPreferences(preloadPath) },
  };
}

/** The hidden window a ticket is rendered and printed in: no preload, no page scripts (its CSP says so too). */
export function ticketWindowOptions(): BrowserWindowConstructorOptions {
  return {
    show: false,
    width: 302, // 80 mm at 96 dpi
    height: 900,
    webPreferences: { devTools: false, backgroundThrottling: false, ...secureWebPreferences(null) },
  };
}
