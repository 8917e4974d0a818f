// The bench's light display (test/helpers/light-display.ts: Socket.IO over a bare WebSocket) against
// the real server, beside a socket.io-client display: both must see the same hall:called messages and
// the same hall:update seqs, and a refused handshake must come back as connect_error.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallView, CounterCommandResult, HallSnapshot, HallUpdate, IssueTicketResult, SignInResult } from '../../shared/protocol.ts';
import { connectClient, idempotencyKey, okData, startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';
import { waitFor } from '../helpers/load-clients.ts';
import { LightDisplay, LightDisplayError, connectLightDisplay } from '../helpers/light-display.ts';

let hall: TestHall | null = null;
const lights: LightDisplay[] = [];

afterEach(async () => {
  for (const l of lights.splice(0)) l.close();
  await hall?.stop();
  hall = null;
});

describe('light display client', () => {
  it('sees exactly the hall:called messages and hall:update seqs a socket.io-client display sees', async () => {
    hall = await startTestHall();
    const h = hall;

    const lightCalls: CallView[] = [];
    const lightSeqs: number[] = [];
    const lightTimes: number[] = [];
    const light = await connectLightDisplay({
      url: h.url,
      token: 'demo-display-1',
      onCalled: (c, at) => {
        lightCalls.push(c);
        lightTimes.push(at);
      },
      onUpdate: (seq) => lightSeqs.push(seq),
    });
    lights.push(light);

    const full: TestClient = await h.connect('/display', 'demo-display-1');
    const fullCalls: CallView[] = [];
    const fullSeqs: number[] = [];
    const fullRanges: [number, number][] = [];
    full.socket.on('hall:called', (c: CallView) => fullCalls.push(c));
    full.socket.on('hall:update', (u: HallUpdate) => {
      fullSeqs.push(u.seq);
      fullRanges.push([u.fromSeq, u.seq]);
    });
    // both are in step before the first change
    const lightSnapshot: HallSnapshot = await light.ready;
    expect(lightSnapshot.seq).toBe(full.snapshot.seq);
    expect(light.sid).toEqual(expect.any(String));
    expect(light.pingInterval).toBeGreaterThan(0);

    const kiosk = await h.connect('/kiosk', 'demo-kiosk-1');
    const counter = await h.connect('/counter', 'demo-counter-1');
    okData(await counter.command<SignInResult>('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const issued: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() }));
      issued.push(r.ticket.id);
    }

    const calledIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const called = okData(await counter.command<CounterCommandResult>('counter:call-next'));
      calledIds.push(called.ticket!.id);
      if (i === 2) okData(await counter.command<CounterCommandResult>('counter:recall')); // a recall goes out too
      okData(await counter.command<CounterCommandResult>('counter:start'));
      okData(await counter.command<CounterCommandResult>('counter:complete', { outcome: 'concluded' }));
    }
    expect(new Set(calledIds)).toEqual(new Set(issued));

    const endSeq = okData(await full.command<HallSnapshot>('hall:sync')).seq;
    await waitFor(() => fullSeqs.at(-1) === endSeq && lightSeqs.at(-1) === endSeq, 5_000, `both displays reach seq ${endSeq}`);
    await waitFor(() => fullCalls.length === 6 && lightCalls.length === 6, 5_000, 'six hall:called on both');

    // the same calls, in the same order, with the same content
    expect(lightCalls).toEqual(fullCalls);
    expect(lightCalls.map((c) => c.ticket.id)).toEqual([...calledIds.slice(0, 3), calledIds[2], ...calledIds.slice(3)]);
    expect(lightCalls.filter((c) => c.recall)).toHaveLength(1);
    // the same updates: seq read from the raw frame equals the parsed one; together (merged or not)
    // they cover every commit from the snapshot on exactly once
    expect(lightSeqs).toEqual(fullSeqs);
    expect(fullRanges[0]![0]).toBe(lightSnapshot.seq + 1);
    for (let i = 1; i < fullRanges.length; i++) expect(fullRanges[i]![0]).toBe(fullRanges[i - 1]![1] + 1);
    expect(light.gaps).toBe(0);
    expect(light.outOfOrder).toBe(0);
    expect(light.seq).toBe(endSeq);
    expect(light.calls).toBe(6);
    // receipt times are on the bench's clock
    for (const at of lightTimes) expect(Math.abs(at - Date.now())).toBeLessThan(10_000);
    expect(light.connected).toBe(true);
  });

  it('reports a refused handshake as connect_error with the server data', async () => {
    hall = await startTestHall();
    const refused = connectLightDisplay({ url: hall.url, token: 'no-such-token', connectTimeoutMs: 5_000 });
    await expect(refused).rejects.toBeInstanceOf(LightDisplayError);
    await expect(refused).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    // a kiosk token on /display: the wrong kind
    const wrongKind = connectLightDisplay({ url: hall.url, token: 'demo-kiosk-1', connectTimeoutMs: 5_000 });
    await expect(wrongKind).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });
});
