// What a page may do: where it may navigate, which permissions it gets, which IPC it may use, which keys reach it.
import type { ShellChannel } from '../shared/electron-api.ts';
import { SHELL_CHANNELS } from '../shared/electron-api.ts';

/** The shell's own pages (setup, offline, fault) and rendered tickets come from this privileged scheme. */
export const SHELL_SCHEME = 'hall-shell';
export const SHELL_ORIGIN = `${SHELL_SCHEME}://app`;
export const SETUP_PAGE_URL = `${SHELL_ORIGIN}/setup.html`;

export interface PagePolicy {
  /** origin of the configured hall server, e.g. http://192.168.1.10:8080; null before setup */
  hallOrigin: string | null;
  /** the only path prefix on the hall server this screen may show, e.g. /kiosk/ */
  pagePath: string | null;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The hall page of this screen (any route below its path). */
export function isHallPage(url: string, policy: PagePolicy): boolean {
  const u = parse(url);
  if (!u || !policy.hallOrigin || !policy.pagePath) return false;
  return u.origin === policy.hallOrigin && (u.pathname === policy.pagePath.replace(/\/$/, '') || u.pathname.startsWith(policy.pagePath));
}

/** One of the shell's own pages. */
export function isShellPage(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === `${SHELL_SCHEME}:` && u.host === 'app';
}

/**
 * Whether a top-level navigation may proceed. Only this screen's hall page and the shell's pages;
 * everything else (other hall pages, the internet, file:, data:, javascript:) is denied.
 */
export function mayNavigate(url: string, policy: PagePolicy): boolean {
  return isHallPage(url, policy) || isShellPage(url);
}

/** Permissions a hall screen needs. Voice announcements need none (autoplay is a web preference, not a permission). */
const GRANTED_PERMISSIONS = new Set(['fullscreen']);

/** Whether a permission request from `requestingUrl` is granted: a short allow-list, for the shell's own origins only. */
export function mayUsePermission(permission: string, requestingUrl: string, policy: PagePolicy): boolean {
  return GRANTED_PERMISSIONS.has(permission) && (isHallPage(requestingUrl, policy) || isShellPage(requestingUrl));
}

/** The part of Electron's WebFrameMain a sender check needs. */
export interface SenderFrame {
  url: string;
  /** null for the top frame */
  parent: unknown;
}

const SETUP_CHANNELS: ReadonlySet<string> = new Set([
  SHELL_CHANNELS.setupDefaults,
  SHELL_CHANNELS.setupPrinters,
  SHELL_CHANNELS.setupVerify,
  SHELL_CHANNELS.setupSave,
]);

/**
 * Every IPC handler asks this first. The sender must be a top frame (never an iframe an attacker could embed),
 * setup channels answer only the shell's setup page, screen channels only this screen's hall page,
 * and the heartbeat any page of ours.
 */
export function isTrustedSender(channel: ShellChannel, frame: SenderFrame | null | undefined, policy: PagePolicy): boolean {
  if (!frame || frame.parent !== null) return false;
  const u = parse(frame.url);
  if (!u) return false;
  if (SETUP_CHANNELS.has(channel)) return isShellPage(frame.url) && u.pathname === '/setup.html';
  if (channel === SHELL_CHANNELS.heartbeat) return isHallPage(frame.url, policy) || isShellPage(frame.url);
  return isHallPage(frame.url, policy);
}

/** The part of Electron's Input a shortcut check needs. */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

const BLOCKED_KEYS = new Set(['F1', 'F3', 'F5', 'F6', 'F7', 'F11', 'F12', 'BrowserBack', 'BrowserForward', 'BrowserRefresh', 'BrowserHome', 'ContextMenu']);
/** with Ctrl/⌘: reload, close, quit, print, open, save, find, new window/tab, zoom, DevTools, view source, history */
const BLOCKED_WITH_CONTROL = new Set(['r', 'w', 'q', 'p', 'o', 's', 'f', 'g', 'n', 't', 'h', 'j', 'u', 'l', '=', '+', '-', '_', '0', 'i', 'c', 'Tab']);

/**
 * Keys a locked-down screen swallows before the page sees them. Ctrl+C is blocked on kiosks too:
 * a kiosk has nothing to copy, and copy is how screens leak. Ordinary typing (the ID-number field) passes.
 */
export function isBlockedShortcut(input: KeyInput): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  if (BLOCKED_KEYS.has(input.key)) return true;
  if ((input.control || input.meta) && BLOCKED_WITH_CONTROL.has(input.key.length === 1 ? input.key.toLowerCase() : input.key)) return true;
  if (input.alt && (input.key === 'F4' || input.key === 'ArrowLeft' || input.key === 'ArrowRight' || input.key === 'Home')) return true;
  // A bare Alt opens the hidden menu bar on Windows and Linux.
  if (input.key === 'Alt' && !input.control && !input.shift) return true;
  return false;
}
