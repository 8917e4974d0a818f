// The dashboard's figures for the day (GET /api/v1/figures/today) on a real server with a set clock:
// the counts add up to the tickets issued, and each mean is the one its formula says, also after a restart.
import { describe, expect, it } from 'vitest';
import type { IssueTicketResult, TodayFiguresView } from '../../shared/protocol.ts';
import { idempotencyKey, okData, hallsPerTest, type TestHall } from '../helpers/hall.ts';

const halls = hallsPerTest();

const SECOND = 1_000;
const T0 = Date.UTC(2026, 10, 24, 1, 0, 0); // 09:00 in Shanghai

async function figures(h: TestHall): Promise<TodayFiguresView> {
  const res = await fetch(`${h.url}/api/v1/figures/today`, { headers: { authorization: 'Bearer demo-manager-1' } });
  expect(res.status).toBe(200);
  return (await res.json()) as TodayFiguresView;
}

describe("today's figures", () => {
  it('count every ticket of the day once, by where it is now, and state the mean waits and handling time', async () => {
    const dataDir = halls.dataDir();
    let now = T0;
    let hall = await halls.start({ dataDir, clock: () => now });
    expect(await figures(hall)).toEqual({
      businessDate: '2026-11-24',
      at: now,
      tickets: { issued: 0, waiting: 0, called: 0, serving: 0, suspended: 0, completed: 0, noShow: 0, cancelled: 0 },
      calledOnce: 0,
      meanWaitMs: null,
      longestWaitingMs: null,
      meanHandlingMs: null,
    });

    const kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
    const issue = async () => okData(await kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'id-card', idempotencyKey: idempotencyKey() })).ticket;
    const a = await issue();
    now = T0 + 60 * SECOND;
    await issue(); // B
    now = T0 + 120 * SECOND;
    const c = await issue();
    const clerk = await hall.connect('/counter', 'demo-counter-1');
    okData(await clerk.command('staff:sign-in', { login: 'clerk1', password: 'demo1234' }));

    now = T0 + 180 * SECOND; // A: waited 180 s
    okData(await clerk.command('counter:call-next'));
    now = T0 + 200 * SECOND;
    okData(await clerk.command('counter:recall')); // not a first call
    now = T0 + 210 * SECOND;
    okData(await clerk.command('counter:start'));
    now = T0 + 330 * SECOND; // served 120 s
    okData(await clerk.command('counter:complete', { outcome: 'concluded' }));
    now = T0 + 360 * SECOND; // B: waited 300 s, then did not come
    okData(await clerk.command('counter:call-next'));
    okData(await clerk.command('counter:no-show'));
    now = T0 + 420 * SECOND; // C: waited 300 s, then sent to the tax queue, where it waits again
    okData(await clerk.command('counter:call-next'));
    okData(await clerk.command('counter:transfer', { serviceId: 'tax' }));
    now = T0 + 480 * SECOND;
    await issue(); // D
    now = T0 + 600 * SECOND;

    const expected: TodayFiguresView = {
      businessDate: '2026-11-24',
      at: now,
      tickets: { issued: 4, waiting: 2, called: 0, serving: 0, suspended: 0, completed: 1, noShow: 1, cancelled: 0 },
      calledOnce: 3,
      meanWaitMs: ((180 + 300 + 300) / 3) * SECOND,
      longestWaitingMs: 120 * SECOND, // D, issued at T0 + 480 s (C, back in a queue after its transfer, was called before)
      meanHandlingMs: 120 * SECOND,
    };
    expect(c.issuedAt).toBe(T0 + 120 * SECOND);
    expect(a.issuedAt).toBe(T0);
    const seen = await figures(hall);
    expect(seen).toEqual(expected);
    const t = seen.tickets;
    expect(t.waiting + t.called + t.serving + t.suspended + t.completed + t.noShow + t.cancelled).toBe(t.issued);

    // the same after a restart: the waits are read back from the day's events
    await hall.stop();
    hall = await halls.start({ dataDir, clock: () => now });
    expect(await figures(hall)).toEqual(expected);
  });
});
