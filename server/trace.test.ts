import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CounterCommandResult, IssueTicketResult } from '../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, tempDataDir, type TestHall } from '../test/helpers/hall.ts';
import { sleep } from '../test/helpers/load-clients.ts';
import { STALL_MS, readTrace, startTrace, type TraceEntry } from './trace.ts';

let hall: TestHall | null = null;
afterEach(async () => {
  await hall?.stop();
  hall = null;
});

const kinds = (entries: TraceEntry[]) => new Set(entries.map((e) => e.k));

describe('startTrace', () => {
  it('is off without a file', () => {
    expect(startTrace(undefined)).toBeNull();
    expect(startTrace('')).toBeNull();
  });

  it('writes what it is told, a loop that came round late and garbage collections, as entries readTrace reads back', async () => {
    const file = join(tempDataDir(), 'trace.jsonl');
    const tracer = startTrace(file)!;
    const t = performance.now();
    tracer.command('ticket:issue', 'dev-kiosk-1', t);
    tracer.commit(t);
    tracer.turn(t, 0.5);
    tracer.http('/api/v1/track/:trackingToken', t);
    await sleep(20); // the stall detector's timer runs
    const until = performance.now() + STALL_MS * 4;
    while (performance.now() < until); // the loop held up on purpose
    const garbage: number[][] = [];
    for (let i = 0; i < 2_000; i++) garbage.push(new Array(1_000).fill(i)); // enough for a minor collection
    garbage.length = 0;
    await sleep(20);
    await tracer.close();
    const written = readFileSync(file, 'utf8');
    rmSync(dirname(file), { recursive: true, force: true });

    const entries = readTrace(written);
    expect(kinds(entries)).toEqual(new Set(['command', 'commit', 'turn', 'http', 'stall', 'gc']));
    const command = entries.find((e) => e.k === 'command')!;
    expect(command).toMatchObject({ name: 'ticket:issue', device: 'dev-kiosk-1' });
    // stamped on the wall clock's scale (comparable with another process's), in ms
    expect(Math.abs(command.at - Date.now())).toBeLessThan(60_000);
    const stall = entries.find((e) => e.k === 'stall' && e.ms >= STALL_MS * 3);
    expect(stall).toBeDefined();
    // a stall is stamped from when the loop was due, and part of it may be a wait for a CPU (Linux)
    if (stall?.k === 'stall' && stall.waitCpuMs !== undefined) expect(stall.waitCpuMs).toBeLessThanOrEqual(stall.ms);
  });
  it('refuses a file it cannot open at start, and stops by itself when a write fails later, telling why once', async () => {
    const dir = tempDataDir();
    expect(() => startTrace(join(dir, 'no-such-dir', 'trace.jsonl'))).toThrow(/ENOENT/);
    rmSync(dir, { recursive: true, force: true });
    const errors: Error[] = [];
    const tracer = startTrace('/dev/full', (err) => errors.push(err))!; // every write: ENOSPC, as on a full disk
    tracer.commit(performance.now());
    await sleep(1_200); // past a flush
    tracer.commit(performance.now());
    await sleep(700);
    await tracer.close();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
  });
});

describe('readTrace', () => {
  it('skips lines that are not entries: a line cut short, another shape, blank lines', () => {
    const good = { k: 'commit', at: 2, ms: 1 };
    const earlier = { k: 'stall', at: 1, ms: 7, waitCpuMs: 3 };
    const text = [JSON.stringify(good), '', '{"k":"command","na', JSON.stringify({ k: 'commit', at: 'x', ms: 1 }), JSON.stringify({ k: 'nope', at: 1, ms: 1 }), JSON.stringify(earlier)].join('\n');
    expect(readTrace(text)).toEqual([earlier, good]);
  });
});

describe('a hall server with HALL_TRACE_FILE', () => {
  it("traces its commands with their commits, the sender's turns and HTTP requests by route, and nothing personal", async () => {
    const dataDir = tempDataDir();
    const file = join(dataDir, 'trace.jsonl');
    hall = await startTestHall({ dataDir, traceFile: file });
    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const idNumber = '11010519491231002X';
    const issued = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'hukou', idempotencyKey: idempotencyKey(), idNumber }));
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    okData(await clerk.command<CounterCommandResult>('counter:call-next'));
    expect((await fetch(`${hall.url}/api/v1/track/${issued.ticket.trackingToken}`)).status).toBe(200);
    const kioskIds = hall.store.db.prepare("SELECT id FROM devices WHERE kind = 'kiosk'").pluck().all();
    await hall.stop(); // the trace is complete once the server has closed
    hall = null;

    const text = readFileSync(file, 'utf8');
    rmSync(dataDir, { recursive: true, force: true });
    const entries = readTrace(text);
    const issue = entries.find((e) => e.k === 'command' && e.name === 'ticket:issue')!;
    expect(issue).toBeDefined();
    // named by the device's id, not its token
    expect(kioskIds).toContain(issue.k === 'command' ? issue.device : null);
    expect(text).not.toContain('demo-kiosk-1');
    // its commit inside it
    expect(entries.some((e) => e.k === 'commit' && e.at >= issue.at && e.at + e.ms <= issue.at + issue.ms + 0.01)).toBe(true);
    expect(entries.some((e) => e.k === 'command' && e.name === 'counter:call-next')).toBe(true);
    expect(entries.some((e) => e.k === 'turn')).toBe(true);
    expect(entries.find((e) => e.k === 'http')).toMatchObject({ route: '/api/v1/track/:trackingToken' });
    expect(text).not.toContain(issued.ticket.trackingToken);
    expect(text).not.toContain(idNumber);
    expect(text).not.toContain(idNumber.slice(-4));
    // every line is an entry
    expect(entries.length).toBe(text.trim().split('\n').length);
  });

  it('traces nothing without it', async () => {
    hall = await startTestHall();
    expect(hall.hall.trace).toBeNull();
  });
});
