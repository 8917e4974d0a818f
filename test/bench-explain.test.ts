// bench/explain.ts: splitting a kiosk's acknowledgement by what the server's trace shows.
import { describe, expect, it } from 'vitest';
import { explainAck, explainSlowest, explanationLine } from '../bench/explain.ts';
import type { TraceEntry } from '../server/trace.ts';

const T = 1_800_000_000_000; // some moment, ms since the epoch

describe('explainAck', () => {
  it('splits an ack into waiting (behind another command), handling (its commit) and the way back', () => {
    const trace: TraceEntry[] = [
      { k: 'command', name: 'counter:call-next', device: 'c1', at: T - 1, ms: 9 }, // was running when the kiosk sent
      { k: 'commit', at: T - 0.5, ms: 8 },
      { k: 'command', name: 'ticket:issue', device: 'k1', at: T + 8, ms: 14 },
      { k: 'commit', at: T + 9, ms: 12 },
      { k: 'turn', at: T + 22, ms: 3, takeMs: 1 }, // after the answer, before the kiosk had it
    ];
    const x = explainAck({ sentAt: T, ms: 26, device: 'k1' }, trace);
    expect(x.command).toEqual({ at: T + 8, ms: 14 });
    expect(x.waitedMs).toBeCloseTo(8);
    expect(x.handledMs).toBeCloseTo(14);
    expect(x.backMs).toBeCloseTo(4);
    expect(x.commitMs).toBe(12);
    expect(x.weights.get('own commit')).toBeCloseTo(12);
    expect(x.weights.get('own handling')).toBeCloseTo(2);
    expect(x.weights.get('other command')).toBeCloseTo(8); // only the part inside the ack's time
    expect(x.weights.get('sender')).toBeCloseTo(3);
    expect(x.weights.get('not seen on the server')).toBeCloseTo(1);
    expect(x.cause).toBe('own commit');
    const total = [...x.weights.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(26);
    expect(explanationLine(x, T - 5_000)).toBe(
      '26.0 ms at 5.0 s = waited 8.0 (counter:call-next 9.0 ms) + handled 14.0 (commit 12.0) + back 4.0 (sender turn 3.0 ms (changes 1.0)); ' +
        'by cause: own commit 12.0, other command 8.0, sender 3.0, own handling 2.0, not seen on the server 1.0',
    );
  });

  it("splits a late turn of the server's loop into waiting for a CPU (its share, spread evenly) and what ran: a GC, or nothing traced", () => {
    const trace: TraceEntry[] = [
      { k: 'stall', at: T, ms: 20, waitCpuMs: 15 }, // the loop came round 20 ms late; 15 of them waiting for a CPU
      { k: 'gc', kind: 'minor', at: T + 12, ms: 4 },
      { k: 'command', name: 'ticket:issue', device: 'k1', at: T + 20, ms: 2 },
    ];
    const x = explainAck({ sentAt: T, ms: 22, device: 'k1' }, trace);
    // a quarter of the late turn ran: of the gc's 4 ms, 1; of the other 16 ms, 4 with nothing traced
    expect(x.weights.get('waiting for a CPU')).toBeCloseTo(15);
    expect(x.weights.get('gc')).toBeCloseTo(1);
    expect(x.weights.get('loop late, nothing traced')).toBeCloseTo(4);
    expect(x.weights.get('not seen on the server')).toBeCloseTo(0);
    expect(x.cause).toBe('waiting for a CPU');
  });

  it("counts the kiosk's own late loop turns where the server's trace shows nothing", () => {
    const trace: TraceEntry[] = [
      { k: 'stall', at: T + 1, ms: 4, waitCpuMs: 0 },
      { k: 'command', name: 'ticket:issue', device: 'k1', at: T + 6, ms: 2 },
    ];
    // the kiosk's loop was late from T+3 to T+6 and again when the answer came
    const x = explainAck({ sentAt: T, ms: 20, device: 'k1' }, trace, [
      { at: T + 3, ms: 3 },
      { at: T + 10, ms: 9 },
      { at: T + 40, ms: 5 }, // long after: not this ack's
    ]);
    expect(x.weights.get('loop late, nothing traced')).toBeCloseTo(4); // the server's late turn comes first
    expect(x.weights.get('kiosk side')).toBeCloseTo(1 + 9); // T+5..T+6, and T+10..T+19
    expect(x.weights.get('not seen on the server')).toBeCloseTo(20 - 2 - 4 - 10);
    expect(x.cause).toBe('kiosk side');
  });

  it("takes the kiosk's own ticket:issue read after the emit, even when another kiosk's was read first; none: not in the trace", () => {
    const trace: TraceEntry[] = [
      { k: 'command', name: 'ticket:issue', device: 'k1', at: T - 10, ms: 3 }, // its previous one
      { k: 'command', name: 'ticket:issue', device: 'k2', at: T + 3, ms: 2 }, // sent earlier by another kiosk, read first
      { k: 'command', name: 'ticket:issue', device: 'k1', at: T + 5, ms: 2 },
      { k: 'command', name: 'ticket:issue', device: 'k3', at: T + 9, ms: 5 }, // another kiosk's, while the answer was on its way
    ];
    const x = explainAck({ sentAt: T, ms: 10, device: 'k1' }, trace);
    expect(x.command).toEqual({ at: T + 5, ms: 2 });
    // k2's 2 ms before the read, and 1 ms of k3's after the answer was handed over, before the kiosk had it
    expect(x.weights.get('other command')).toBeCloseTo(3);
    // a command stamped a little before the emit (the two processes' clocks): no window turns inside out
    const skewed = explainAck({ sentAt: T + 1_000, ms: 6, device: 'k3' }, [{ k: 'command', name: 'ticket:issue', device: 'k3', at: T + 999, ms: 2 }]);
    expect(skewed.waitedMs).toBe(0);
    expect([...skewed.weights.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(6);
    const lost = explainAck({ sentAt: T + 100, ms: 5, device: 'k1' }, trace);
    expect(lost.command).toBeNull();
    expect(lost.cause).toBe('not in the trace');
    expect(explanationLine(lost, T)).toBe('5.0 ms at 0.1 s: no ticket:issue in the trace fits');
  });
});

describe('explainSlowest', () => {
  it('explains the n slowest and tallies the biggest cause of every ack over the limit', () => {
    const trace: TraceEntry[] = [
      { k: 'command', name: 'ticket:issue', device: 'k1', at: T + 1, ms: 25 },
      { k: 'commit', at: T + 2, ms: 23 },
      { k: 'turn', at: T + 1_000, ms: 22, takeMs: 0 },
      { k: 'command', name: 'ticket:issue', device: 'k1', at: T + 1_022, ms: 1 },
      { k: 'command', name: 'ticket:issue', device: 'k1', at: T + 2_000, ms: 1 },
    ];
    const acks = [
      { sentAt: T + 2_000, ms: 2, device: 'k1' },
      { sentAt: T, ms: 27, device: 'k1' },
      { sentAt: T + 1_000, ms: 24, device: 'k1' },
    ];
    const r = explainSlowest(acks, trace, 2, 20);
    expect(r.slowest.map((x) => x.ack.ms)).toEqual([27, 24]);
    expect(r.over).toBe(2);
    expect(r.tally).toEqual(new Map([['own commit', 1], ['sender', 1]]));
  });
});
