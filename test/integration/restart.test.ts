// Stopping the server, gracefully or with SIGKILL, and starting it on the same data directory
// resumes the same waiting order and continues the numbering.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type AssistRequestView, type CounterView, type IssueTicketResult, type SignInResult } from '../../shared/protocol.ts';
import { clientFor, connectClient, idempotencyKey, okData, tempDataDir, type TestClient } from '../helpers/hall.ts';
import { startHallProcess, type HallProcess } from '../helpers/process.ts';

const running: HallProcess[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function issue(url: string, serviceId: string): Promise<IssueTicketResult['ticket']> {
  const res = await fetch(`${url}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-1' },
    body: JSON.stringify({ serviceId, idempotencyKey: idempotencyKey() }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as IssueTicketResult).ticket;
}

async function counterClient(url: string, n: number): Promise<TestClient> {
  const c = await connectClient(url, '/counter', `demo-counter-${n}`);
  clients.push(c);
  return c;
}

/** Counter 1's own view, as its clerk sees it on signing in at a new connection. */
async function stateOf(url: string): Promise<CounterView> {
  const c = await counterClient(url, 1);
  const { view } = okData(await c.command<SignInResult>('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
  c.close();
  return view;
}

for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
  describe(`after ${signal}`, () => {
    it('resumes the same waiting order, the counter keeps its ticket, numbering continues, and a request for help stays open', async () => {
      const dataDir = tempDataDir();
      dirs.push(dataDir);
      const first = await startHallProcess(dataDir);
      running.push(first);

      const services = ['id-card', 'social-insurance', 'id-card', 'passport', 'consult', 'id-card', 'hukou-skip', 'pension'];
      for (const s of services.filter((x) => x !== 'hukou-skip')) await issue(first.url, s);
      const clerk = await counterClient(first.url, 1);
      okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
      okData(await clerk.command('counter:call-next'));
      okData(await clerk.command('counter:start'));
      okData(await clerk.command('counter:complete', { outcome: 'concluded' }));
      okData(await clerk.command('counter:call-next'));
      okData(await clerk.command('counter:start'));
      const before = await stateOf(first.url);
      // and a visitor asked for help just before
      const kiosk = await connectClient(first.url, '/kiosk', 'demo-kiosk-1');
      clients.push(kiosk);
      const { requestId } = okData(await kiosk.command<{ requestId: string }>('kiosk:assist', { reason: 'elderly' }));
      expect(before.status).toBe('serving');
      expect(before.queue.length).toBeGreaterThan(3);

      first.child.kill(signal);
      expect(await first.exited).toBe(signal === 'SIGTERM' ? 0 : null);

      const second = await startHallProcess(dataDir);
      running.push(second);
      const after = await stateOf(second.url);
      expect(after.status).toBe('serving');
      expect(after.current?.number).toBe(before.current?.number);
      expect(after.queue.map((q) => q.number)).toEqual(before.queue.map((q) => q.number));
      expect(after.today).toEqual(before.today);
      // the acknowledged request for help is still open on a dashboard
      const dashboard = clientFor(second.url, '/manager', { token: 'demo-manager-1', protocolVersion: PROTOCOL_VERSION });
      const requests = await new Promise<AssistRequestView[]>((resolve) => dashboard.once('hall:assists', resolve));
      dashboard.close();
      expect(requests.map((r) => [r.id, r.reason, r.handled])).toEqual([[requestId, 'elderly', null]]);

      const next = await issue(second.url, 'id-card');
      expect(next.number).toBe('A004');
      // the clerk's terminal reconnects, signs in again and finishes the ticket it had
      const back = await counterClient(second.url, 1);
      okData(await back.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
      const done = okData(await back.command<{ ticket: { number: string; status: string } }>('counter:complete', { outcome: 'accepted' }));
      expect(done.ticket).toMatchObject({ number: before.current!.number, status: 'completed' });
    });
  });
}
