// Builds the Electron shell into dist/main/ with esbuild (offline, a second or two; runs in CI via `npm run build`):
//   electron-main.js  the main process (ESM), every dependency bundled except electron itself
//   preload.cjs       the preload (sandboxed preloads must be one classic script)
//   hall-server.mjs   the hall server, for the all-in-one role to run as a child process (better-sqlite3 stays
//                     external: it is a native module that electron-builder rebuilds for Electron)
import { rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
export const DEFAULT_OUT_DIR = join(ROOT, 'dist', 'main');

/** Bundled CommonJS packages call require(); an ESM bundle gets a real one. */
const ESM_REQUIRE_BANNER = "import { createRequire as __hallCreateRequire } from 'node:module'; const require = __hallCreateRequire(import.meta.url);";

const common: BuildOptions = {
  bundle: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: ROOT,
  metafile: true,
};

/** Output file name → the imports it leaves to the run time (from esbuild's metafile), for the build test. */
export type BuildExternals = Record<string, string[]>;

export async function buildMain(outDir: string = DEFAULT_OUT_DIR): Promise<BuildExternals> {
  rmSync(outDir, { recursive: true, force: true });
  const results = await Promise.all([
    build({
      ...common,
      entryPoints: ['main/electron-main.ts'],
      outfile: join(outDir, 'electron-main.js'),
      platform: 'node',
      format: 'esm',
      target: 'node22',
      external: ['electron'],
      banner: { js: ESM_REQUIRE_BANNER },
    }),
    build({
      ...common,
      entryPoints: ['main/preload.ts'],
      outfile: join(outDir, 'preload.cjs'),
      platform: 'browser',
      format: 'cjs',
      target: 'chrome130',
      // the shared API file carries its zod schemas along; minified, the preload stays small enough to parse per page load
      minify: true,
      external: ['electron'],
    }),
    build({
      ...common,
      entryPoints: ['server/cli.ts'],
      outfile: join(outDir, 'hall-server.mjs'),
      platform: 'node',
      format: 'esm',
      target: 'node22',
      external: ['better-sqlite3'],
      // server/hall-server.ts finds dist/renderer relative to its own folder; in the bundle that folder is server/ beside dist/.
      define: { 'import.meta.dirname': '__hallServerDir' },
      banner: { js: `${ESM_REQUIRE_BANNER} const __hallServerDir = import.meta.dirname + '/../../server';` },
    }),
  ]);
  const externals: BuildExternals = {};
  for (const result of results) {
    for (const [file, output] of Object.entries(result.metafile?.outputs ?? {})) {
      if (file.endsWith('.map')) continue;
      externals[basename(file)] = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))].sort();
    }
  }
  return externals;
}

if (import.meta.main) {
  const started = performance.now();
  await buildMain();
  process.stdout.write(`built dist/main (electron-main.js, preload.cjs, hall-server.mjs) in ${Math.round(performance.now() - started)} ms\n`);
}
