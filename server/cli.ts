#!/usr/bin/env node
// The `hall` command: start the server and do what an administrator does without a UI.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CatalogueFile } from '../shared/catalogue.ts';
import { DeviceKind, StaffRole } from '../shared/protocol.ts';
import { DATABASE_FILE, resolveConfig } from './config.ts';
import type { DemoCredentials } from './demo-hall.ts';
import { DEFAULT_STATIC_ROOT, startHallServer } from './hall-server.ts';
import { createLogger } from './log.ts';
import { auditHead, verifyAuditChain } from './store/audit-chain.ts';
import { backupDatabase, openDatabase, restoreDatabase } from './store/database.ts';
import { HallStore } from './store/hall-store.ts';

const USAGE = `hall — 政务服务中心排队叫号系统 hall server

Usage:
  hall start [--port N] [--host H] [--no-demo]
  hall device add --kind kiosk|counter|display|evaluator|manager --name NAME [--counter NUMBER] [--area AREA]
  hall device revoke --id DEVICE_ID
  hall staff add --login L --name N --password P [--role clerk|manager|admin] [--staff-no NO]
  hall services import FILE
  hall backup FILE
  hall restore FILE            (stop the server first)
  hall audit verify [--head ID:HASH ...]   (each --head: a head written down earlier, by \`hall audit head\` or from the log)
  hall audit head

Every command accepts --data-dir DIR (default ./data, or HALL_DATA_DIR).
Environment: HALL_PORT (default 8080; 0 picks a free port), HALL_HOST (default 127.0.0.1), HALL_DATA_DIR,
HALL_DEMO=0 (no demo hall on an empty database), HALL_BUILD_PAGES=0 (never build the screens), HALL_LOG_LEVEL.`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'no-demo': { type: 'boolean' },
  kind: { type: 'string' },
  name: { type: 'string' },
  counter: { type: 'string' },
  area: { type: 'string' },
  id: { type: 'string' },
  login: { type: 'string' },
  password: { type: 'string' },
  role: { type: 'string' },
  'staff-no': { type: 'string' },
  head: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`missing --${flag}`);
  return value;
}

function openStore(dataDir: string): HallStore {
  return new HallStore(openDatabase(join(dataDir, DATABASE_FILE)));
}

function printDemo(demo: DemoCredentials, url: string): void {
  const lines = [
    '',
    '示范大厅已创建 / demo hall created. These demo credentials are public: do not use them in a real hall.',
    `  pages: ${url}/  (kiosk, counter, display, counter-display, manager)`,
    '  device tokens:',
    ...demo.devices.map((d) => `    ${d.kind.padEnd(9)} ${d.token.padEnd(20)} ${d.name}`),
    `  staff logins (password ${demo.staff[0]?.password ?? ''}):`,
    `    ${demo.staff.map((s) => `${s.login} ${s.name}`).join(', ')}`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** `npm start` on a fresh clone: build the screens once when they are missing. */
function ensurePagesBuilt(): void {
  if (process.env.HALL_BUILD_PAGES === '0') return;
  if (existsSync(join(DEFAULT_STATIC_ROOT, 'kiosk', 'index.html'))) return;
  const projectRoot = join(DEFAULT_STATIC_ROOT, '..', '..');
  if (!existsSync(join(projectRoot, 'vite.config.ts'))) return;
  process.stdout.write('building the screens (first start)…\n');
  const result = spawnSync(process.execPath, [join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) process.stderr.write('hall: building the screens failed; the API still runs\n');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return command || values.help ? 0 : 1;
  }
  const config = resolveConfig({ host: values.host, port: values.port, dataDir: values['data-dir'], demo: values['no-demo'] ? false : undefined });
  const now = Date.now();

  if (command === 'start') {
    const log = createLogger();
    ensurePagesBuilt();
    const server = await startHallServer({
      dataDir: config.dataDir,
      port: config.port,
      host: config.host,
      demo: config.demo,
      log,
      ...(config.maxConnectionsPerDevice !== null && { maxConnectionsPerDevice: config.maxConnectionsPerDevice }),
      ...(config.traceFile !== null && { traceFile: config.traceFile }),
    });
    if (server.demo) printDemo(server.demo, server.url);
    process.stdout.write(`hall server listening on ${server.url}\n`);
    const stop = (signal: string) => {
      log.info({ signal }, 'stopping');
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return -1; // keep running
  }

  if (command === 'device' && sub === 'add') {
    const kind = DeviceKind.parse(required(values.kind, 'kind'));
    const counter = values.counter === undefined ? undefined : z.coerce.number().int().positive().parse(values.counter);
    const store = openStore(config.dataDir);
    try {
      const { device, token } = store.addDevice(
        { kind, name: required(values.name, 'name'), ...(counter ? { counterNumber: counter } : {}), ...(values.area ? { area: values.area } : {}) },
        now,
      );
      process.stdout.write(`device ${device.id} (${device.kind}) added; its token, shown once:\n${token}\n`);
    } finally {
      store.close();
    }
    return 0;
  }

  if (command === 'device' && sub === 'revoke') {
    const store = openStore(config.dataDir);
    try {
      const ok = store.revokeDevice(required(values.id, 'id'), now);
      process.stdout.write(ok ? 'device revoked\n' : 'no such active device\n');
      return ok ? 0 : 1;
    } finally {
      store.close();
    }
  }

  if (command === 'staff' && sub === 'add') {
    const role = StaffRole.parse(values.role ?? 'clerk');
    const password = required(values.password, 'password');
    if (password.length < 8) throw new UsageError('a password needs at least 8 characters');
    const store = openStore(config.dataDir);
    try {
      const staff = store.addStaff(
        { login: required(values.login, 'login'), name: required(values.name, 'name'), password, role, ...(values['staff-no'] ? { staffNo: values['staff-no'] } : {}) },
        now,
      );
      process.stdout.write(`staff ${staff.login} (${staff.role}, No. ${staff.staffNo}) added\n`);
    } finally {
      store.close();
    }
    return 0;
  }

  if (command === 'services' && sub === 'import') {
    const file = required(arg, 'FILE');
    const parsed = CatalogueFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      process.stderr.write(`${file} is not a valid catalogue:\n${z.prettifyError(parsed.error)}\n`);
      return 1;
    }
    const store = openStore(config.dataDir);
    try {
      store.importCatalogue(parsed.data, now);
    } finally {
      store.close();
    }
    process.stdout.write(
      `imported ${parsed.data.categories.length} categories, ${parsed.data.services.length} services, ${parsed.data.counters.length} counters; restart a running hall server to apply (today's counter changes made on the dashboard end with it)\n`,
    );
    return 0;
  }

  if (command === 'backup') {
    const file = required(sub, 'FILE');
    const store = openStore(config.dataDir);
    try {
      await backupDatabase(store.db, file);
    } finally {
      store.close();
    }
    process.stdout.write(`backup written to ${file}\n`);
    return 0;
  }

  if (command === 'restore') {
    const file = required(sub, 'FILE');
    const { numbersCarried } = restoreDatabase(file, config.dataDir);
    process.stdout.write(
      `restored ${file} into ${join(config.dataDir, DATABASE_FILE)}\n` +
        (numbersCarried > 0
          ? `numbering continues after the ${numbersCarried} ticket number(s) the replaced database had handed out since the backup: ` +
            'those tickets are not in the backup; their visitors need new tickets\n'
          : ''),
    );
    return 0;
  }

  if (command === 'audit' && sub === 'head') {
    const db = openDatabase(join(config.dataDir, DATABASE_FILE), { readonly: true });
    try {
      const head = auditHead(db);
      process.stdout.write(head ? `${head.id}:${head.hash}\n` : 'no events yet\n');
      return 0;
    } finally {
      db.close();
    }
  }

  if (command === 'audit' && sub === 'verify') {
    const anchors = (values.head ?? []).map((h) => {
      const m = /^(\d+):([0-9a-f]{64})$/.exec(h.trim());
      if (!m) throw new UsageError(`--head must be ID:HASH (64 hex digits), as \`hall audit head\` prints: ${h}`);
      return { id: Number(m[1]), hash: m[2]! };
    });
    const db = openDatabase(join(config.dataDir, DATABASE_FILE), { readonly: true });
    try {
      const result = verifyAuditChain(db, anchors);
      if (result.ok) {
        process.stdout.write(`audit chain intact: ${result.events} events\n`);
        return 0;
      }
      const b = result.brokenAt;
      process.stdout.write(
        `audit chain BROKEN at event id ${b.id} (seq ${b.seq ?? '-'}, ${b.type}): ${result.reason}; ${result.events} events before it verify\n`,
      );
      return 1;
    } finally {
      db.close();
    }
  }

  throw new UsageError(`unknown command: ${positionals.join(' ')}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`hall: ${err.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`hall: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
