import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTOSTART_FILE, autostartDesktopEntry, launchCommand, linuxAutostartDir, quoteExecArg, setLinuxAutostart, windowsLoginItem } from './autostart.ts';

const names = { zh: '政务服务排队叫号', en: 'Hall Queue' };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hall-autostart-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Linux autostart', () => {
  it('writes an XDG .desktop entry that starts the shell with its flags', () => {
    const autostart = join(dir, 'autostart');
    const command = launchCommand('/opt/Hall Queue/hall-queue', {}, ['--role', 'kiosk', '--server', 'http://hall-server:8080']);
    expect(setLinuxAutostart(autostart, true, command, names)).toBe(true);
    const text = readFileSync(join(autostart, AUTOSTART_FILE), 'utf8');
    expect(text.split('\n')).toEqual([
      '[Desktop Entry]',
      'Type=Application',
      'Version=1.0',
      'Name=Hall Queue',
      'Name[zh_CN]=政务服务排队叫号',
      'Exec="/opt/Hall Queue/hall-queue" --role kiosk --server http://hall-server:8080',
      'Terminal=false',
      'X-GNOME-Autostart-enabled=true',
      'X-GNOME-Autostart-Delay=3',
      'X-KDE-autostart-after=panel',
      '',
    ]);
    expect(statSync(join(autostart, AUTOSTART_FILE)).mode & 0o777).toBe(0o644);
  });

  it('is idempotent, and removes the entry when auto-start is off', () => {
    const command = launchCommand('/usr/bin/hall-queue', {}, []);
    expect(setLinuxAutostart(dir, true, command, names)).toBe(true);
    expect(setLinuxAutostart(dir, true, command, names)).toBe(false);
    expect(setLinuxAutostart(dir, false, command, names)).toBe(true);
    expect(() => readFileSync(join(dir, AUTOSTART_FILE))).toThrow();
    expect(setLinuxAutostart(dir, false, command, names)).toBe(false);
  });

  it('starts the AppImage file, not its temporary mount', () => {
    expect(launchCommand('/tmp/.mount_hallXYZ/hall-queue', { APPIMAGE: '/home/kiosk/Hall-Queue.AppImage' }, []).executable).toBe('/home/kiosk/Hall-Queue.AppImage');
  });

  it('quotes Exec arguments as the Desktop Entry spec asks, and doubles %', () => {
    expect(quoteExecArg('plain-arg')).toBe('plain-arg');
    expect(quoteExecArg('a "b" $c `d` \\e')).toBe('"a \\"b\\" \\$c \\`d\\` \\\\e"');
    expect(quoteExecArg('')).toBe('""');
    expect(autostartDesktopEntry({ executable: '/x', args: ['--printer', '100%'] }, names)).toContain('Exec=/x --printer 100%%');
    expect(autostartDesktopEntry({ executable: '/x', args: [] }, { zh: 'a\nExec=evil', en: 'b' })).not.toMatch(/^Exec=evil/m);
  });

  it('honours XDG_CONFIG_HOME', () => {
    expect(linuxAutostartDir({}, '/home/kiosk')).toBe('/home/kiosk/.config/autostart');
    expect(linuxAutostartDir({ XDG_CONFIG_HOME: '/etc/kiosk-config' }, '/home/kiosk')).toBe('/etc/kiosk-config/autostart');
    expect(linuxAutostartDir({ XDG_CONFIG_HOME: 'relative' }, '/home/kiosk')).toBe('/home/kiosk/.config/autostart');
  });
});

describe('Windows login item', () => {
  it('passes the executable and flags to app.setLoginItemSettings', () => {
    const command = launchCommand('C:\\Program Files\\Hall Queue\\Hall Queue.exe', {}, ['--role', 'display']);
    expect(windowsLoginItem(true, command)).toEqual({ openAtLogin: true, path: 'C:\\Program Files\\Hall Queue\\Hall Queue.exe', args: ['--role', 'display'] });
    expect(windowsLoginItem(false, command).openAtLogin).toBe(false);
  });
});
