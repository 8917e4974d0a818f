// Starting the shell at login: a Windows login item (through Electron) or a Linux XDG autostart .desktop file.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const AUTOSTART_FILE = 'hall-queue-shell.desktop';

export interface LaunchCommand {
  /** the executable; for an AppImage the .AppImage file itself, not the temporary mount it runs from */
  executable: string;
  args: readonly string[];
}

/** What to start at login. An AppImage runs from a new /tmp mount each time, so $APPIMAGE is the stable path. */
export function launchCommand(execPath: string, env: Readonly<Record<string, string | undefined>>, args: readonly string[]): LaunchCommand {
  return { executable: env.APPIMAGE || execPath, args };
}

/** Quotes one Exec argument as the Desktop Entry Specification asks (double quotes; \ " ` $ escaped). */
export function quoteExecArg(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

/** A literal % in Exec must be doubled: a single one starts a field code. */
function execLine(command: LaunchCommand): string {
  return [command.executable, ...command.args].map(quoteExecArg).join(' ').replace(/%/g, '%%');
}

export function autostartDesktopEntry(command: LaunchCommand, names: { zh: string; en: string }): string {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${oneLine(names.en)}`,
    `Name[zh_CN]=${oneLine(names.zh)}`,
    `Exec=${execLine(command)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    'X-GNOME-Autostart-Delay=3',
    'X-KDE-autostart-after=panel',
    '',
  ].join('\n');
}

/** $XDG_CONFIG_HOME/autostart, or ~/.config/autostart. */
export function linuxAutostartDir(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const configHome = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homeDir, '.config');
  return join(configHome, 'autostart');
}

/** Writes (or removes) the autostart entry; returns whether the file changed, so the caller logs only real changes. */
export function setLinuxAutostart(dir: string, enabled: boolean, command: LaunchCommand, names: { zh: string; en: string }): boolean {
  const path = join(dir, AUTOSTART_FILE);
  let current: string | null = null;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = null;
  }
  if (!enabled) {
    if (current === null) return false;
    rmSync(path, { force: true });
    return true;
  }
  const entry = autostartDesktopEntry(command, names);
  if (current === entry) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, entry, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
  return true;
}

/** The settings for Electron's app.setLoginItemSettings on Windows. */
export function windowsLoginItem(enabled: boolean, command: LaunchCommand): { openAtLogin: boolean; path: string; args: string[] } {
  return { openAtLogin: enabled, path: command.executable, args: [...command.args] };
}
