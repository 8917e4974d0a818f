import { describe, expect, it } from 'vitest';
import type { CallView, CounterPublicView, HallSnapshot, HallUpdate } from '../../shared/protocol.ts';
import { applyCall, applyCounterView, applyOwnCounterView, applyUpdate, fromSnapshot, inArea } from './hall-model.ts';

const counter = (id: string, number: number, area: string): CounterPublicView => ({
  id, number, name: '综合窗口', kind: 'comprehensive', area, status: 'idle', statusSince: 0, pauseReason: null, current: null, staff: null, serviceIds: ['s1'], backupServiceIds: [], servicesSetAt: null,
});

const snapshot = (seq: number): HallSnapshot => ({
  protocolVersion: 1,
  seq,
  serverTime: 1_000,
  businessDate: '2026-03-02',
  hall: { name: { zh: '大厅', en: 'Hall' }, timeZone: 'Asia/Shanghai', notice: null, priorityAge: 60 },
  categories: [],
  services: [
    { id: 's1', code: 'S1', names: { zh: '甲', en: 'A' }, prefix: 'A', categoryId: 'c', waiting: 0, idRequired: false, guide: null, issuingPeriods: [], availability: { issuing: true, reason: null, remainingQuota: null } },
  ],
  counters: [counter('c1', 1, '1F'), counter('c5', 5, '2F')],
  recentCalls: [],
  counterId: null,
  counter: null,
});

const call = (seq: number, ticketId: string, counterId = 'c1', recall = false): CallView => ({
  seq, ticket: { id: ticketId, number: ticketId.toUpperCase(), serviceId: 's1' }, counter: { id: counterId, number: 1, name: '综合窗口' }, recall, recallCount: recall ? 1 : 0, at: 5,
});

const update = (seq: number, waiting: number, counters: CounterPublicView[] = [], fromSeq = seq): HallUpdate => ({
  seq, fromSeq, serverTime: 2_000, services: [{ id: 's1', waiting, availability: { issuing: true, reason: null, remainingQuota: null } }], counters,
});

describe('hall model', () => {
  it('applies increments in order and keeps the server clock offset', () => {
    const m0 = fromSnapshot(snapshot(3), 900);
    expect(m0.clockOffsetMs).toBe(100);
    const { model, gap } = applyUpdate(m0, update(4, 2, [{ ...counter('c1', 1, '1F'), status: 'paused', pauseReason: '午间休息' }]), 1_500);
    expect(gap).toBe(false);
    expect(model.seq).toBe(4);
    expect(model.snapshot.services[0]!.waiting).toBe(2);
    expect(model.snapshot.counters[0]!.status).toBe('paused');
    expect(model.clockOffsetMs).toBe(500);
  });

  it('accepts the several messages of one change (same seq) and ignores older ones', () => {
    const m0 = fromSnapshot(snapshot(3), 1_000);
    const a = applyCall(m0, call(4, 'a001'));
    expect(a.gap).toBe(false);
    const b = applyUpdate(a.model, update(4, 0), 1_000);
    expect(b.gap).toBe(false);
    expect(b.model.snapshot.recentCalls.map((c) => c.ticket.id)).toEqual(['a001']);
    const stale = applyUpdate(b.model, update(2, 9), 1_000);
    expect(stale.model.snapshot.services[0]!.waiting).toBe(0);
  });

  it('reports a gap when a message was lost', () => {
    const m0 = fromSnapshot(snapshot(3), 1_000);
    expect(applyUpdate(m0, update(6, 1), 1_000).gap).toBe(true);
    // a call may come before the update that covers its commit: it is shown, and the seq waits for the update
    const early = applyCall(m0, call(5, 'a001'));
    expect(early.gap).toBe(false);
    expect(early.model.seq).toBe(3);
    expect(early.model.snapshot.recentCalls.map((c) => c.ticket.id)).toEqual(['a001']);
    expect(applyUpdate(early.model, update(5, 0, [], 4), 1_000)).toMatchObject({ gap: false, model: { seq: 5 } });
    // one older than the model's seq was in the snapshot already
    expect(applyCall(fromSnapshot(snapshot(9), 0), call(5, 'a001')).model.snapshot.recentCalls).toEqual([]);
  });

  it('takes a merged update that follows on from the last seq, and reports one that starts after a gap', () => {
    const m0 = fromSnapshot(snapshot(3), 1_000);
    const merged = applyUpdate(m0, update(7, 5, [], 4), 1_000);
    expect(merged.gap).toBe(false);
    expect(merged.model.seq).toBe(7);
    expect(merged.model.snapshot.services[0]!.waiting).toBe(5);
    expect(applyUpdate(m0, update(7, 5, [], 5), 1_000).gap).toBe(true);
    // overlapping what was already applied: the latest values are taken, no gap
    expect(applyUpdate(merged.model, update(9, 2, [], 6), 1_000)).toMatchObject({ gap: false, model: { seq: 9 } });
  });

  it('puts a recall at the top once, and ignores calls for counters this display does not show', () => {
    let m = fromSnapshot(snapshot(0), 0);
    m = applyCall(m, call(1, 'a001')).model;
    m = applyCall(m, call(2, 'a002')).model;
    m = applyCall(m, call(3, 'a001', 'c1', true)).model;
    expect(m.snapshot.recentCalls.map((c) => [c.ticket.id, c.recall])).toEqual([['a001', true], ['a002', false]]);
    m = applyCall(m, call(4, 'z001', 'elsewhere')).model;
    expect(m.snapshot.recentCalls).toHaveLength(2);
  });

  it('replaces the counter terminal view', () => {
    const m0 = fromSnapshot(snapshot(1), 0);
    const view = { counterId: 'c1', status: 'idle' as const, pauseReason: null, staff: null, services: [], current: null, queue: [], suspended: [], noShows: [], today: { called: 0, completed: 0, noShows: 0, transfersOut: 0, suspended: 0, meanHandlingMs: null } };
    expect(applyCounterView(m0, { seq: 2, view }).model.snapshot.counter).toBe(view);
  });

  it("takes the view from the clerk's own acknowledgement at once, leaving the seq for the messages", () => {
    const m0 = fromSnapshot(snapshot(3), 0);
    const view = { counterId: 'c1', status: 'calling' as const, pauseReason: null, staff: null, services: [], current: null, queue: [], suspended: [], noShows: [], today: { called: 1, completed: 0, noShows: 0, transfersOut: 0, suspended: 0, meanHandlingMs: null } };
    const m1 = applyOwnCounterView(m0, view);
    expect(m1.snapshot.counter).toBe(view);
    expect([m1.seq, m1.snapshot.seq]).toEqual([3, 3]);
    // the commit's own messages still apply after it, in order
    expect(applyUpdate(m1, update(4, 0), 0).gap).toBe(false);
  });

  it('filters counters by area', () => {
    expect(inArea(snapshot(0).counters, '2F').map((c) => c.id)).toEqual(['c5']);
    expect(inArea(snapshot(0).counters, null)).toHaveLength(2);
  });
});
