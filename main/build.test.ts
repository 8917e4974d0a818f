// The shell's build and its process boundaries: Electron only where it belongs, bundles that stand alone.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMain, type BuildExternals } from '../scripts/build-main.ts';

const MAIN_DIR = import.meta.dirname;
const THIN_FILES = new Set(['electron-main.ts', 'preload.ts']);
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** ws tries these optional native speed-ups inside try/catch */
const OPTIONAL = new Set(['bufferutil', 'utf-8-validate']);

const packagesOnly = (imports: readonly string[] | undefined) => (imports ?? []).filter((m) => !BUILTINS.has(m) && !OPTIONAL.has(m));

describe('process boundaries', () => {
  it('only electron-main.ts and preload.ts load electron; every other main/ module imports its types only', () => {
    const sources = readdirSync(MAIN_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(10);
    for (const file of sources) {
      const text = readFileSync(join(MAIN_DIR, file), 'utf8');
      const valueImport = /^import\s+(?!type\s)[^;]*from\s+'electron'/m.test(text) || /require\(\s*'electron'\s*\)/.test(text);
      expect(valueImport, file).toBe(THIN_FILES.has(file));
    }
  });

  it('main/ never imports server/ or renderer/ (the all-in-one server is a child process)', () => {
    for (const file of readdirSync(MAIN_DIR).filter((f) => f.endsWith('.ts'))) {
      expect(readFileSync(join(MAIN_DIR, file), 'utf8'), file).not.toMatch(/from '\.\.\/(server|renderer)\//);
    }
  });

  it('the preload exposes the declared API with satisfies, and never ipcRenderer itself', () => {
    const preload = readFileSync(join(MAIN_DIR, 'preload.ts'), 'utf8');
    expect(preload).toContain('} satisfies HallShellApi);');
    expect(preload).toContain('} satisfies HallSetupApi);');
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
    expect(preload).not.toMatch(/ipcRenderer\.on\(/);
  });
});

describe('npm run build:main', () => {
  let out: string;
  let externals: BuildExternals;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'hall-build-main-'));
    externals = await buildMain(out);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('bundles the main process so it needs nothing at run time but electron and Node', () => {
    expect(packagesOnly(externals['electron-main.js'])).toEqual(['electron']);
    expect(readFileSync(join(out, 'electron-main.js'), 'utf8')).toContain('hall-shell:print-ticket');
  });

  it('bundles the preload as one classic script that requires only electron', () => {
    const preload = readFileSync(join(out, 'preload.cjs'), 'utf8');
    expect(externals['preload.cjs']).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).toContain('hall-shell:print-ticket');
  });

  it('bundles the hall server for the all-in-one role, with the native database module left to electron-builder', () => {
    const server = readFileSync(join(out, 'hall-server.mjs'), 'utf8');
    expect(packagesOnly(externals['hall-server.mjs'])).toEqual(['better-sqlite3']);
    expect(server).toContain("const __hallServerDir = import.meta.dirname + '/../../server';");
    expect(resolve('/app/dist/main', '../../server', '..', 'dist', 'renderer')).toBe('/app/dist/renderer');
  });
});
