// The preload: the only bridge between a page and the shell. It exposes the typed API declared in
// shared/electron-api.ts, one function per channel, never ipcRenderer itself. Bundled by scripts/build-main.ts
// (sandboxed preloads cannot import files at run time).
import { contextBridge, ipcRenderer } from 'electron';
import {
  HALL_SETUP_GLOBAL,
  HALL_SHELL_GLOBAL,
  SHELL_CHANNELS,
  type HallSetupApi,
  type HallShellApi,
} from '../shared/electron-api.ts';
import { HEARTBEAT_INTERVAL_MS } from './watchdog.ts';
import { SETUP_PAGE_URL } from './guards.ts';

contextBridge.exposeInMainWorld(HALL_SHELL_GLOBAL, {
  apiVersion: 1,
  device: () => ipcRenderer.invoke(SHELL_CHANNELS.device),
  printTicket: (job) => ipcRenderer.invoke(SHELL_CHANNELS.printTicket, job),
  reprintTicket: (request) => ipcRenderer.invoke(SHELL_CHANNELS.reprintTicket, request),
} satisfies HallShellApi);

// Only the shell's own setup page gets the setup API; main checks the sender again anyway.
if (location.href === SETUP_PAGE_URL) {
  contextBridge.exposeInMainWorld(HALL_SETUP_GLOBAL, {
    defaults: () => ipcRenderer.invoke(SHELL_CHANNELS.setupDefaults),
    printers: () => ipcRenderer.invoke(SHELL_CHANNELS.setupPrinters),
    verify: (input) => ipcRenderer.invoke(SHELL_CHANNELS.setupVerify, input),
    save: (input) => ipcRenderer.invoke(SHELL_CHANNELS.setupSave, input),
  } satisfies HallSetupApi);
}

// The heartbeat runs on the page's main thread: a page stuck in a loop stops it, and the watchdog reloads it.
setInterval(() => ipcRenderer.send(SHELL_CHANNELS.heartbeat), HEARTBEAT_INTERVAL_MS);

// Long-press on a touch screen opens the context menu; a public screen has no use for it.
window.addEventListener('contextmenu', (event) => event.preventDefault(), true);
