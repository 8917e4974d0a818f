// All-in-one (便民服务站 with one PC): the shell runs the hall server as a child process, with its data
// in the app's data folder, and restarts it if it dies. It never imports the server's code.
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { join } from 'node:path';

/** The server's ready line (server/cli.ts): `hall server listening on http://127.0.0.1:8080`. */
const READY_LINE = /hall server listening on (https?:\/\/\S+)/;

export interface HallServerCommand {
  command: string;
  args: string[];
  options: SpawnOptions;
}

/**
 * How to start the bundled hall server: Electron's own binary in Node mode (ELECTRON_RUN_AS_NODE),
 * so a 便民服务站 needs no separate Node.js install.
 */
export function hallServerCommand(input: {
  execPath: string;
  serverScript: string;
  userDataDir: string;
  host: string;
  port: number;
  env: Readonly<Record<string, string | undefined>>;
}): HallServerCommand {
  return {
    command: input.execPath,
    args: [input.serverScript, 'start', '--host', input.host, '--port', String(input.port), '--data-dir', hallDataDir(input.userDataDir)],
    options: {
      env: { ...input.env, ELECTRON_RUN_AS_NODE: '1', HALL_LOG_LEVEL: input.env.HALL_LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    },
  };
}

export function hallDataDir(userDataDir: string): string {
  return join(userDataDir, 'hall-data');
}

/** Resolves with the server's URL once it prints its ready line; rejects if it exits first or stays silent too long. */
export function waitForReadyLine(child: Pick<ChildProcess, 'stdout' | 'once' | 'off'>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    const onData = (chunk: Buffer | string) => {
      buffered = (buffered + chunk.toString()).slice(-4096);
      const match = READY_LINE.exec(buffered);
      if (match?.[1]) {
        cleanup();
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`hall server exited before it was ready (code ${code})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('hall server did not become ready in time'));
    }, timeoutMs);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
