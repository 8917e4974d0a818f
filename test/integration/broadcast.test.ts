// How the hall's changes reach the listening namespaces: merged hall:update messages that cover every
// commit exactly once, calls that are never held, counters that get every commit, and a large
// namespace written shard by shard (more sockets than one emit serves) without losing or reordering.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallView, HallSnapshot, HallUpdate, IssueTicketResult } from '../../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';
import { waitFor } from '../helpers/load-clients.ts';
import { connectLightDisplay, type LightDisplay } from '../helpers/light-display.ts';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../shared/protocol.ts';
import { stats as writeStats } from '../../server/fast-broadcast.ts';

let hall: TestHall | null = null;
const lights: LightDisplay[] = [];

afterEach(async () => {
  for (const l of lights.splice(0)) l.close();
  await hall?.stop();
  hall = null;
});

const issue = (kiosk: TestClient, serviceId = 'id-card') =>
  kiosk.command<IssueTicketResult>('ticket:issue', { serviceId, idempotencyKey: idempotencyKey() }).then(okData);

/** Every update a client receives, as [fromSeq, seq]. */
function recordUpdates(client: TestClient): [number, number][] {
  const ranges: [number, number][] = [];
  client.socket.on('hall:update', (u: HallUpdate) => ranges.push([u.fromSeq, u.seq]));
  return ranges;
}

/** The ranges follow on from `after` without a hole or an overlap. */
function expectContiguous(ranges: [number, number][], after: number): void {
  let last = after;
  for (const [from, to] of ranges) {
    expect(from).toBe(last + 1);
    expect(to).toBeGreaterThanOrEqual(from);
    last = to;
  }
}

describe('broadcasting to the listening namespaces', () => {
  it('holds updates between listenerUpdateMs, sends calls at once, and releases the held update before any snapshot', async () => {
    // a long interval, so what is held stays held until something releases it
    hall = await startTestHall({ listenerUpdateMs: 60_000 });
    const h = hall;
    const display = await h.connect('/display', 'demo-display-1');
    const watcher = await h.connect('/display', 'demo-display-1');
    const kiosk = await h.connect('/kiosk', 'demo-kiosk-1');
    const counter = await h.connect('/counter', 'demo-counter-1');
    const onDisplay = recordUpdates(display);
    const onWatcher = recordUpdates(watcher);
    const onCounter = recordUpdates(counter);
    const start = h.hall.state.seq;

    // the first change after a quiet spell goes out at once
    const first = display.next<HallUpdate>('hall:update');
    await issue(kiosk);
    expect(await first).toMatchObject({ fromSeq: start + 1, seq: start + 1 });

    // the next ones are held for the displays, but not for the counter
    await issue(kiosk);
    await issue(kiosk);
    okData(await counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    await waitFor(() => onCounter.length === 4, 2_000, 'the counter gets every commit');
    expect(onCounter).toEqual([1, 2, 3, 4].map((i) => [start + i, start + i]));

    // a call is not held: it reaches the displays while the update covering its commit is still held
    const called = display.next<CallView>('hall:called');
    const call = okData(await counter.command<{ ticket: { id: string } }>('counter:call-next'));
    const seen = await called;
    expect(seen.ticket.id).toBe(call.ticket.id);
    expect(seen.seq).toBe(start + 5);
    expect(onDisplay).toEqual([[start + 1, start + 1]]);
    expect(onWatcher).toEqual([[start + 1, start + 1]]);

    // a hall:sync flushes what is held first: both displays get one merged update for commits 2..5
    // (the syncing one before its snapshot, never after it)
    const merged = watcher.next<HallUpdate>('hall:update');
    const snap = okData(await display.command<HallSnapshot>('hall:sync'));
    expect(snap.seq).toBe(start + 5);
    const m = await merged;
    expect([m.fromSeq, m.seq]).toEqual([start + 2, start + 5]);
    expect(m.services.find((s) => s.id === 'id-card')?.waiting).toBe(2);
    expect(m.counters.map((c) => [c.id, c.status])).toEqual([['c1', 'calling']]);
    expectContiguous(onWatcher, start);
    expect(onDisplay).toEqual([[start + 1, start + 1], [start + 2, start + 5]]);

    // after the snapshot, the syncing display's next update starts after it
    const next = display.next<HallUpdate>('hall:update');
    await issue(kiosk);
    await watcher.command('hall:sync'); // releases it
    expect(await next).toMatchObject({ fromSeq: start + 6, seq: start + 6 });
  });

  it('does not release held updates for a display that connects: the waves skip what its snapshot holds', async () => {
    hall = await startTestHall({ listenerUpdateMs: 60_000 });
    const h = hall;
    const a = await h.connect('/display', 'demo-display-1');
    const kiosk = await h.connect('/kiosk', 'demo-kiosk-1');
    const onA = recordUpdates(a);
    const start = h.hall.state.seq;
    const first = a.next<HallUpdate>('hall:update');
    await issue(kiosk); // goes at once
    await first;
    await issue(kiosk);
    await issue(kiosk); // 2..3 held

    // B connects: its snapshot holds 1..3; nothing is released for A because of it
    const b = await h.connect('/display', 'demo-display-1');
    expect(b.snapshot.seq).toBe(start + 3);
    const onB = recordUpdates(b);
    await issue(kiosk); // 2..4 held
    const c = await h.connect('/display', 'demo-display-1');
    expect(c.snapshot.seq).toBe(start + 4);
    const onC = recordUpdates(c);
    await new Promise((r) => setTimeout(r, 200));
    expect(onA).toEqual([[start + 1, start + 1]]);

    // A's hall:sync releases the held update: A gets 2..4, B only what its snapshot lacks (4..4), C nothing
    const toB = b.next<HallUpdate>('hall:update');
    okData(await a.command<HallSnapshot>('hall:sync'));
    expect(onA).toEqual([[start + 1, start + 1], [start + 2, start + 4]]);
    const u = await toB;
    expect([u.fromSeq, u.seq]).toEqual([start + 4, start + 4]);
    expect(u.services.find((s) => s.id === 'id-card')?.waiting).toBe(4);
    await new Promise((r) => setTimeout(r, 200));
    expect(onB).toEqual([[start + 4, start + 4]]);
    expect(onC).toEqual([]);

    // and from then on all three get the same updates, each contiguous from its snapshot
    await issue(kiosk);
    await a.command('hall:sync'); // releases commit 5
    await waitFor(() => onC.length === 1 && onB.length === 2, 2_000, 'B and C get commit 5');
    expectContiguous(onB, start + 3);
    expectContiguous(onC, start + 4);
    expect(onC).toEqual([[start + 5, start + 5]]);
  });

  it('writes a namespace larger than one emit serves shard by shard: every display gets every call once and updates without holes', async () => {
    hall = await startTestHall({ maxConnectionsPerDevice: 300 }); // every display here shares one token
    const h = hall;
    const DISPLAYS = 260; // more than WHOLE_NAMESPACE_SOCKETS: the sharded path
    const calls = Array.from({ length: DISPLAYS }, () => [] as string[]);
    const ranges = Array.from({ length: DISPLAYS }, () => [] as [number, number][]);
    const snapshots: number[] = [];
    for (let i = 0; i < DISPLAYS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, DISPLAYS - i) }, (_, j) =>
          connectLightDisplay({
            url: h.url,
            token: 'demo-display-1',
            onCalled: (c) => calls[i + j]!.push(`${c.seq}:${c.ticket.number}`),
            onUpdate: (seq, fromSeq) => ranges[i + j]!.push([fromSeq, seq]),
          }),
        ),
      );
      lights.push(...batch);
      for (const l of batch) snapshots.push((await l.ready).seq);
    }
    const kiosk = await h.connect('/kiosk', 'demo-kiosk-1');
    const counter = await h.connect('/counter', 'demo-counter-1');
    okData(await counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
    const expected: string[] = [];
    for (let i = 0; i < 6; i++) {
      await Promise.all([issue(kiosk), issue(kiosk, 'passport')]);
      const r = okData(await counter.command<{ ticket: { number: string } }>('counter:call-next'));
      expected.push(`${h.hall.state.seq}:${r.ticket.number}`);
      okData(await counter.command('counter:start'));
      okData(await counter.command('counter:complete', { outcome: 'concluded' }));
    }
    const end = h.hall.state.seq;
    await waitFor(() => lights.every((l) => l.seq === end), 5_000, `all ${DISPLAYS} displays reach seq ${end}`);
    await waitFor(() => calls.every((c) => c.length === expected.length), 5_000, 'every call on every display');
    for (let i = 0; i < DISPLAYS; i++) {
      expect(calls[i]).toEqual(expected);
      expectContiguous(ranges[i]!, snapshots[i]!);
      expect(ranges[i]!.at(-1)![1]).toBe(end);
    }
    expect(lights.reduce((n, l) => n + l.gaps + l.outOfOrder, 0)).toBe(0);
  });

  it('writes frames straight to idle WebSocket displays and through socket.io to a long-polling one: both get the same messages', async () => {
    hall = await startTestHall();
    const h = hall;
    const ws = await h.connect('/display', 'demo-display-1');
    const polling: Socket = io(`${h.url}/display`, {
      auth: { token: 'demo-display-1', protocolVersion: PROTOCOL_VERSION },
      transports: ['polling'],
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<HallSnapshot>((resolve, reject) => {
        polling.once('hall:snapshot', resolve);
        polling.once('connect_error', reject);
      });
      const kiosk = await h.connect('/kiosk', 'demo-kiosk-1');
      const counter = await h.connect('/counter', 'demo-counter-1');
      okData(await counter.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));
      await issue(kiosk);
      const before = { ...writeStats };
      const calls = [ws, { next: <T>(event: string) => new Promise<T>((r) => polling.once(event, r)) }].map((c) => c.next<CallView>('hall:called'));
      const onCounter = counter.next<CallView>('hall:called');
      okData(await counter.command('counter:call-next'));
      const [viaFrame, viaEmit] = await Promise.all(calls);
      // the same message, as socket.io-client parses it, whichever way it went
      expect(viaFrame).toEqual(await onCounter);
      expect(viaEmit).toEqual(viaFrame);
      expect(writeStats.fast).toBeGreaterThan(before.fast);
      expect(writeStats.emitted).toBeGreaterThan(before.emitted);
      // and the connection written to directly still works both ways afterwards
      expect(okData(await ws.command<HallSnapshot>('hall:sync')).seq).toBe(h.hall.state.seq);
    } finally {
      polling.close();
    }
  });
});
