// Runs the real `hall` CLI as a child process, as an administrator or a service manager would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = resolve(PROJECT_ROOT, 'server', 'cli.ts');

export interface HallProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  /** resolves when the process has exited */
  exited: Promise<number | null>;
}

export function startHallProcess(dataDir: string, env: Record<string, string> = {}): Promise<HallProcess> {
  const child = spawn(process.execPath, [CLI, 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HALL_PORT: '0', HALL_HOST: '127.0.0.1', HALL_DATA_DIR: dataDir, HALL_BUILD_PAGES: '0', HALL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`hall did not start within 20 s\n${out}\n${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /hall server listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1]!, stdout: () => out, exited });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hall exited with ${code} before it was ready\n${out}\n${err}`));
    });
  });
}

export function runCli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HALL_BUILD_PAGES: '0', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
