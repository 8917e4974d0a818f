import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SHELL_ROLES } from '../shared/electron-api.ts';
import { pageUrl, SCREEN_TRAITS, screenOf } from './roles.ts';
import { CONFIG_FILE, ConfigError, needsSetup, parseFlags, readConfigFile, resolveShellConfig, serverOrigin, writeConfigFile } from './shell-config.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hall-shell-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('flags', () => {
  it('reads the role and the server address', () => {
    expect(parseFlags(['--role', 'kiosk', '--server', 'http://hall-server:8080'])).toMatchObject({ role: 'kiosk', server: 'http://hall-server:8080' });
  });

  it('accepts every role and refuses an unknown one in words', () => {
    for (const role of SHELL_ROLES) expect(parseFlags(['--role', role]).role).toBe(role);
    expect(() => parseFlags(['--role', 'window'])).toThrow(ConfigError);
    expect(() => parseFlags(['--role', 'window'])).toThrow(/--role/);
  });

  it("ignores Chromium's and Electron's own switches and positionals", () => {
    const flags = parseFlags(['.', '--no-sandbox', '--enable-logging', '--role=display', '--monitor', '1', '--inspect=9229']);
    expect(flags).toEqual({ role: 'display', monitor: 1 });
  });

  it('normalises the server address to an origin and refuses what is not http(s)', () => {
    expect(parseFlags(['--server', '192.168.1.10:8080/kiosk/']).server).toBe('http://192.168.1.10:8080');
    expect(parseFlags(['--server', 'https://hall.example.gov.cn']).server).toBe('https://hall.example.gov.cn');
    expect(() => parseFlags(['--server', 'file:///etc/passwd'])).toThrow(ConfigError);
    expect(serverOrigin('javascript:alert(1)')).toBeNull();
    expect(serverOrigin('http://user:pw@hall:8080')).toBeNull();
  });

  it('refuses numbers out of range', () => {
    expect(() => parseFlags(['--monitor', '-1'])).toThrow(ConfigError);
    expect(() => parseFlags(['--counter', 'three'])).toThrow(ConfigError);
    expect(() => parseFlags(['--port', '70000'])).toThrow(ConfigError);
  });
});

describe('config file', () => {
  it('a missing file is an unconfigured machine that needs setup', () => {
    const config = resolveShellConfig([], dir);
    expect(config).toMatchObject({ role: null, serverUrl: null, printer: null, monitor: 0, hideCursor: false, autoStart: null, configPath: join(dir, CONFIG_FILE) });
    expect(needsSetup(config, false)).toBe(true);
  });

  it('flags win over the file, the file over defaults', () => {
    writeConfigFile(join(dir, CONFIG_FILE), {
      role: 'kiosk',
      serverUrl: 'http://10.0.0.5:8080',
      printer: { name: 'POS-80C', pageSize: 'ticket-80mm' },
      monitor: 1,
      hideCursor: true,
    });
    const fromFile = resolveShellConfig([], dir);
    expect(fromFile).toMatchObject({ role: 'kiosk', serverUrl: 'http://10.0.0.5:8080', printer: { name: 'POS-80C', pageSize: 'ticket-80mm' }, monitor: 1, hideCursor: true });
    expect(needsSetup(fromFile, true)).toBe(false);
    expect(needsSetup(fromFile, false)).toBe(true);
    const overridden = resolveShellConfig(['--server', 'http://hall-server:8080', '--monitor', '0', '--printer-default-page-size', '--no-autostart', '--setup'], dir);
    expect(overridden).toMatchObject({ serverUrl: 'http://hall-server:8080', monitor: 0, printer: { name: 'POS-80C', pageSize: 'printer-default' }, autoStart: false, forceSetup: true });
    expect(needsSetup(overridden, true)).toBe(true);
  });

  it('an all-in-one machine talks to its own server on loopback', () => {
    writeConfigFile(join(dir, CONFIG_FILE), { role: 'all-in-one', screen: 'display', serverUrl: 'http://10.0.0.5:8080', allInOne: { port: 9090, host: '0.0.0.0' } });
    expect(resolveShellConfig([], dir)).toMatchObject({ role: 'all-in-one', screen: 'display', serverUrl: 'http://127.0.0.1:9090', allInOne: { port: 9090, host: '0.0.0.0' } });
    expect(resolveShellConfig(['--port', '8181'], dir).serverUrl).toBe('http://127.0.0.1:8181');
  });

  it('a broken or unknown-keyed file is refused in words, and never holds a token', () => {
    const path = join(dir, CONFIG_FILE);
    writeFileSync(path, '{ "role": "kiosk", ');
    expect(() => readConfigFile(path)).toThrow(/not valid JSON/);
    writeFileSync(path, JSON.stringify({ role: 'kiosk', token: 'demo-kiosk-1' }));
    expect(() => readConfigFile(path)).toThrow(ConfigError);
    writeFileSync(path, JSON.stringify({ role: 'kiosk', printer: { name: '' } }));
    expect(() => readConfigFile(path)).toThrow(/printer\.name/);
  });

  it('writes atomically and reads back the same', () => {
    const path = join(dir, 'sub', CONFIG_FILE);
    writeConfigFile(path, { role: 'counter-display', serverUrl: 'http://hall:8080', counterNumber: 3 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ role: 'counter-display', serverUrl: 'http://hall:8080', counterNumber: 3 });
    expect(readConfigFile(path)).toEqual({ role: 'counter-display', serverUrl: 'http://hall:8080', counterNumber: 3 });
  });
});

describe('roles', () => {
  it('each screen has a page on the hall server, and all-in-one opens the chosen one', () => {
    expect(screenOf('all-in-one', undefined)).toBe('kiosk');
    expect(screenOf('all-in-one', 'display')).toBe('display');
    expect(screenOf('counter', 'display')).toBe('counter');
    expect(pageUrl('http://hall:8080', 'kiosk', null)).toBe('http://hall:8080/kiosk/');
    expect(pageUrl('http://hall:8080', 'counter-display', 3)).toBe('http://hall:8080/counter-display/?counter=3');
  });

  it('only the kiosk prints; public screens are locked down; the counter and manager are ordinary windows', () => {
    expect(Object.entries(SCREEN_TRAITS).filter(([, t]) => t.prints).map(([s]) => s)).toEqual(['kiosk']);
    expect(Object.entries(SCREEN_TRAITS).filter(([, t]) => !t.lockedDown).map(([s]) => s).sort()).toEqual(['counter', 'manager']);
  });
});
