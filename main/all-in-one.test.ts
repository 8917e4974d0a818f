import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hallDataDir, hallServerCommand, waitForReadyLine } from './all-in-one.ts';

describe('all-in-one server process', () => {
  it("runs the bundled server with Electron's binary in Node mode, data in the app's data folder", () => {
    const command = hallServerCommand({ execPath: '/opt/hall/hall-queue', serverScript: '/opt/hall/resources/app.asar/dist/main/hall-server.mjs', userDataDir: '/home/kiosk/.config/hall-queue', host: '127.0.0.1', port: 8080, env: { PATH: '/usr/bin' } });
    expect(command.command).toBe('/opt/hall/hall-queue');
    expect(command.args).toEqual(['/opt/hall/resources/app.asar/dist/main/hall-server.mjs', 'start', '--host', '127.0.0.1', '--port', '8080', '--data-dir', hallDataDir('/home/kiosk/.config/hall-queue')]);
    expect(command.options.env).toMatchObject({ ELECTRON_RUN_AS_NODE: '1', PATH: '/usr/bin', HALL_LOG_LEVEL: 'warn' });
    expect(command.options.windowsHide).toBe(true);
  });

  it('waits for the ready line of a real child process', async () => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write('demo…\\n'); setTimeout(() => process.stdout.write('hall server listening on http://127.0.0.1:45678\\n'), 50); setTimeout(() => {}, 5000)"]);
    try {
      await expect(waitForReadyLine(child, 10_000)).resolves.toBe('http://127.0.0.1:45678');
    } finally {
      child.kill();
    }
  });

  it('rejects when the server exits before it is ready', async () => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write('database is newer than this code\\n'); process.exit(3)"]);
    await expect(waitForReadyLine(child, 10_000)).rejects.toThrow(/exited before it was ready \(code 3\)/);
  });
});
