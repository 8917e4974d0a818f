// Fails when a folder imports what it must not (docs/architecture.md, "Import rules"):
//   shared/   → only shared/ and pure packages: no node:*, no DOM globals' packages, no electron, no server/renderer/main
//   renderer/ → no server/, main/, node:* or electron
//   server/   → no renderer/, main/ or electron
//   main/     → no server/ or renderer/ internals
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

interface Rule {
  folder: string;
  forbiddenFolders: string[];
  forbidNode: boolean;
  forbidElectron: boolean;
  /** bare packages allowed; null = any */
  allowedPackages: string[] | null;
}

export const RULES: Rule[] = [
  { folder: 'shared', forbiddenFolders: ['server', 'renderer', 'main'], forbidNode: true, forbidElectron: true, allowedPackages: ['zod'] },
  { folder: 'renderer', forbiddenFolders: ['server', 'main'], forbidNode: true, forbidElectron: true, allowedPackages: null },
  { folder: 'server', forbiddenFolders: ['renderer', 'main'], forbidNode: false, forbidElectron: true, allowedPackages: null },
  { folder: 'main', forbiddenFolders: ['server', 'renderer'], forbidNode: false, forbidElectron: false, allowedPackages: null },
];

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/gm;
const TEST_FILE = /\.test\.tsx?$/;
/** test files beside the code may also use the test runner */
const TEST_PACKAGES = ['vitest'];
const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'url', 'util', 'stream', 'events', 'worker_threads', 'zlib', 'buffer', 'process', 'tls', 'dgram', 'dns']);

function* sourceFiles(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield path;
  }
}

export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (spec) found.push(spec);
  }
  return found;
}

export function violations(root: string): string[] {
  const problems: string[] = [];
  for (const rule of RULES) {
    for (const file of sourceFiles(join(root, rule.folder))) {
      const rel = relative(root, file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
        if ((spec.startsWith('node:') || NODE_BUILTINS.has(bare.split('/')[0]!)) && rule.forbidNode) {
          problems.push(`${rel}: imports ${spec} (no Node built-ins in ${rule.folder}/)`);
        } else if ((spec === 'electron' || spec.startsWith('electron/')) && rule.forbidElectron) {
          problems.push(`${rel}: imports ${spec} (no electron in ${rule.folder}/)`);
        } else if (spec.startsWith('.')) {
          const target = relative(root, resolve(file, '..', spec)).split(sep)[0]!;
          if (rule.forbiddenFolders.includes(target)) problems.push(`${rel}: imports ${spec} (${rule.folder}/ must not import ${target}/)`);
        } else if (
          !spec.startsWith('node:') &&
          rule.allowedPackages &&
          !rule.allowedPackages.includes(spec.split('/')[0]!) &&
          !(TEST_FILE.test(file) && TEST_PACKAGES.includes(spec))
        ) {
          problems.push(`${rel}: imports package ${spec} (${rule.folder}/ may only use ${rule.allowedPackages.join(', ')})`);
        }
      }
    }
  }
  return problems;
}

if (import.meta.main) {
  const problems = violations(ROOT);
  if (problems.length) {
    process.stderr.write(`import rules broken:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write('import rules hold\n');
}
