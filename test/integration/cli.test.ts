// The `hall` CLI as an administrator uses it, against a real data directory.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATALOGUE } from '../../server/demo-hall.ts';
import { connectClient, okData, tempDataDir } from '../helpers/hall.ts';
import { runCli, startHallProcess } from '../helpers/process.ts';

let dataDir: string;

beforeAll(() => {
  dataDir = tempDataDir();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const lastLine = (s: string) => s.trim().split('\n').at(-1)!;

describe('hall CLI', () => {
  it('prints usage and fails on an unknown command', () => {
    const r = runCli(['frobnicate', '--data-dir', dataDir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
    expect(r.stderr).toMatch(/hall device add/);
  });

  it('imports a service catalogue, refusing an invalid one with reasons', () => {
    const bad = join(dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ categories: [], services: [{ id: 'x', code: 'X', names: { zh: 'x', en: 'x' }, categoryId: 'none', prefix: 'a' }] }));
    const refused = runCli(['services', 'import', bad, '--data-dir', dataDir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/prefix/);
    expect(refused.stderr).toMatch(/unknown category/);

    const good = join(dataDir, 'catalogue.json');
    writeFileSync(good, JSON.stringify(DEMO_CATALOGUE));
    const r = runCli(['services', 'import', good, '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/imported 8 categories, 12 services, 8 counters/);
  });

  it('adds staff with a hashed password', () => {
    const r = runCli(['staff', 'add', '--login', 'wang', '--name', '王芳', '--password', 'secret-pass-1', '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/staff wang \(clerk/);
    const db = new BetterSqlite3(join(dataDir, 'hall.db'), { readonly: true });
    const hash = db.prepare("SELECT password_hash FROM staff WHERE login = 'wang'").pluck().get() as string;
    db.close();
    expect(hash).toMatch(/^scrypt\$/);
    expect(hash).not.toContain('secret-pass-1');
    expect(runCli(['staff', 'add', '--login', 'short', '--name', 'x', '--password', 'abc', '--data-dir', dataDir]).status).toBe(2);
  });

  it('adds devices, printing the token as the last line; counters need --counter', () => {
    const kiosk = runCli(['device', 'add', '--kind', 'kiosk', '--name', '东门取号机', '--data-dir', dataDir]);
    expect(kiosk.status).toBe(0);
    expect(lastLine(kiosk.stdout)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const noCounter = runCli(['device', 'add', '--kind', 'counter', '--name', 'x', '--data-dir', dataDir]);
    expect(noCounter.status).toBe(1);
    expect(noCounter.stderr).toMatch(/--counter/);
    const wrongKind = runCli(['device', 'add', '--kind', 'printer', '--name', 'x', '--data-dir', dataDir]);
    expect(wrongKind.status).not.toBe(0);
  });

  it('the new devices and staff work against a started server (no demo hall was seeded)', async () => {
    const counterToken = lastLine(runCli(['device', 'add', '--kind', 'counter', '--name', '3号窗口', '--counter', '3', '--data-dir', dataDir]).stdout);
    const server = await startHallProcess(dataDir);
    try {
      expect(server.stdout()).not.toMatch(/demo hall created/);
      const counter = await connectClient(server.url, '/counter', counterToken);
      expect(counter.snapshot.counterId).toBe('c3');
      const signIn = okData(await counter.command<{ staff: { login: string } }>('staff:sign-in', { login: 'wang', password: 'secret-pass-1' }));
      expect(signIn.staff.login).toBe('wang');
      counter.close();
      const demo = await connectClient(server.url, '/kiosk', 'demo-kiosk-1').catch((e: { data?: { code: string } }) => e.data?.code);
      expect(demo).toBe('UNAUTHORIZED');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('backs up to a file that holds the same data', () => {
    const target = join(dataDir, 'backup', 'hall-copy.db');
    const r = runCli(['backup', target, '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    const db = new BetterSqlite3(target, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM services').pluck().get()).toBe(12);
    expect(db.prepare("SELECT count(*) FROM staff WHERE login = 'wang'").pluck().get()).toBe(1);
    db.close();
  });
});
