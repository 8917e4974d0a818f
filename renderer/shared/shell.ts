// The Electron shell's preload API as the pages see it: `window.hallShell`, declared once here, absent in an
// ordinary browser. The API itself (and its schemas) lives in shared/electron-api.ts; main/preload.ts exposes it.
//
// The watchdog's heartbeat needs nothing from the pages: the preload sends it itself with a timer on the page's
// main thread (main/preload.ts), so a page stuck in a loop stops it. `HallShellApi` has no heartbeat method.
import { SHELL_ERROR_MESSAGES, type HallShellApi, type ShellDevice, type ShellError, type ShellResult } from '../../shared/electron-api.ts';

declare global {
  interface Window {
    hallShell?: HallShellApi;
  }
}

/** The shell's API when this page runs inside the Electron shell, else null. */
export function hallShell(): HallShellApi | null {
  return typeof window !== 'undefined' && window.hallShell ? window.hallShell : null;
}

/** Asks the shell for this machine's settings; a rejected IPC call comes back as an ordinary failure. */
export async function readShellDevice(shell: HallShellApi): Promise<ShellResult<ShellDevice>> {
  try {
    return await shell.device();
  } catch {
    return { ok: false, error: { code: 'NOT_CONFIGURED', message: SHELL_ERROR_MESSAGES.NOT_CONFIGURED.zh } };
  }
}

/**
 * The shell's message in the language on screen: a known code has both languages in shared/electron-api.ts;
 * anything else is the shell's own (Chinese) text.
 */
export function shellMessage(error: ShellError, language: 'zh-CN' | 'en'): string {
  const known: { zh: string; en: string } | undefined = Object.hasOwn(SHELL_ERROR_MESSAGES, error.code) ? SHELL_ERROR_MESSAGES[error.code] : undefined;
  const text = known ? (language === 'en' ? known.en : known.zh) : error.message;
  // The sentences are joined into longer ones on screen; a trailing full stop would double up.
  return text.trim().replace(/[。.！!]+$/u, '');
}

/** A print or reprint call that threw (IPC gone) is reported like any other failure. */
export async function shellCall<T>(call: () => Promise<ShellResult<T>>): Promise<ShellResult<T>> {
  try {
    return await call();
  } catch {
    return { ok: false, error: { code: 'PRINT_FAILED', message: SHELL_ERROR_MESSAGES.PRINT_FAILED.zh } };
  }
}
