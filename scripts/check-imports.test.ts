import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importsOf, violations } from './check-imports.ts';

const root = mkdtempSync(join(tmpdir(), 'imports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

describe('import rules', () => {
  it('reads static, side-effect, dynamic and require imports', () => {
    const found = importsOf(`import a from 'x';\nimport 'y';\nexport { b } from "./z.ts";\nconst c = await import('w');\nrequire('v');`);
    expect(found.sort()).toEqual(['./z.ts', 'v', 'w', 'x', 'y']);
  });

  it('flags each forbidden import and nothing else', () => {
    write('shared/ok.ts', "import { z } from 'zod';\nimport { x } from './other.ts';");
    write('shared/ok.test.ts', "import { it } from 'vitest';\nimport { x } from './ok.ts';");
    write('shared/bad.ts', "import { readFileSync } from 'node:fs';\nimport 'react';\nimport { y } from '../server/hall.ts';");
    write('renderer/page.tsx', "import { io } from 'socket.io-client';\nimport { a } from '../main/preload.ts';\nimport path from 'path';");
    write('server/x.ts', "import { app } from 'electron';\nimport { b } from '../renderer/page.tsx';\nimport fs from 'node:fs';");
    write('main/y.ts', "import { app } from 'electron';\nimport { c } from '../server/hall.ts';\nimport { d } from '../shared/protocol.ts';");
    const found = violations(root).sort();
    expect(found).toEqual(
      [
        'main/y.ts: imports ../server/hall.ts (main/ must not import server/)',
        'renderer/page.tsx: imports ../main/preload.ts (renderer/ must not import main/)',
        'renderer/page.tsx: imports path (no Node built-ins in renderer/)',
        'server/x.ts: imports ../renderer/page.tsx (server/ must not import renderer/)',
        'server/x.ts: imports electron (no electron in server/)',
        'shared/bad.ts: imports ../server/hall.ts (shared/ must not import server/)',
        'shared/bad.ts: imports node:fs (no Node built-ins in shared/)',
        'shared/bad.ts: imports package react (shared/ may only use zod)',
      ].sort(),
    );
  });

  it('holds for this repository', () => {
    expect(violations(resolve(import.meta.dirname, '..'))).toEqual([]);
  });
});
