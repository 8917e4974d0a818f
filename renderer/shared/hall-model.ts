// The client's copy of the hall: a full snapshot, then seq-numbered increments. Pure, so it is unit-tested.
import type { CallView, CounterPublicView, CounterView, CounterViewMessage, HallSnapshot, HallUpdate } from '../../shared/protocol.ts';

export const RECENT_CALLS_SHOWN = 20;

export interface HallModel {
  snapshot: HallSnapshot;
  /** highest seq applied */
  seq: number;
  /** serverTime − local clock at the last message, so clocks and timers follow the server */
  clockOffsetMs: number;
}

export interface Applied {
  model: HallModel;
  /** seq jumped by more than one: a message was lost; ask for a snapshot */
  gap: boolean;
}

/** What a counter calls for, as one string: two views of a counter call for the same when these are equal (潮汐窗口). */
export function servicesKeyOf(counter: CounterPublicView): string {
  return `${counter.servicesSetAt}|${counter.serviceIds.join()}|${counter.backupServiceIds.join()}`;
}

export function fromSnapshot(snapshot: HallSnapshot, localNow: number): HallModel {
  return { snapshot, seq: snapshot.seq, clockOffsetMs: snapshot.serverTime - localNow };
}

/**
 * Messages of one change share its seq (hall:called, hall:update, counter:view), so equal seq is fine;
 * older is stale. A message covers commits `fromSeq..seq` (a merged hall:update covers several): a gap
 * is a first covered commit after the one following the last seen.
 */
function check(model: HallModel, seq: number, fromSeq = seq): { stale: boolean; gap: boolean } {
  return { stale: seq < model.seq, gap: fromSeq > model.seq + 1 };
}

export function applyUpdate(model: HallModel, update: HallUpdate, localNow: number): Applied {
  const { stale, gap } = check(model, update.seq, update.fromSeq);
  if (stale) return { model, gap: false };
  const waiting = new Map(update.services.map((s) => [s.id, s]));
  const changed = new Map(update.counters.map((c) => [c.id, c]));
  const s = model.snapshot;
  const snapshot: HallSnapshot = {
    ...s,
    seq: update.seq,
    serverTime: update.serverTime,
    services: s.services.map((svc) => {
      const u = waiting.get(svc.id);
      return u ? { ...svc, waiting: u.waiting, availability: u.availability } : svc;
    }),
    // A display bound to an area only knows that area's counters; others in the update are ignored.
    counters: s.counters.map((c) => changed.get(c.id) ?? c),
  };
  return { model: { snapshot, seq: update.seq, clockOffsetMs: update.serverTime - localNow }, gap };
}

/**
 * A call adds to the recent calls. On displays it may arrive before the (merged) hall:update that
 * covers its commit, so it neither moves the model's seq nor reveals a gap; one older than the model
 * (already in a snapshot) is ignored.
 */
export function applyCall(model: HallModel, call: CallView): Applied {
  if (call.seq < model.seq) return { model, gap: false };
  const s = model.snapshot;
  if (!s.counters.some((c) => c.id === call.counter.id)) return { model, gap: false };
  const recentCalls = [call, ...s.recentCalls.filter((c) => c.ticket.id !== call.ticket.id)].slice(0, RECENT_CALLS_SHOWN);
  return { model: { ...model, snapshot: { ...s, recentCalls } }, gap: false };
}

export function applyCounterView(model: HallModel, message: CounterViewMessage): Applied {
  const { stale, gap } = check(model, message.seq);
  if (stale) return { model, gap: false };
  return { model: { ...model, seq: message.seq, snapshot: { ...model.snapshot, seq: message.seq, counter: message.view } }, gap };
}

/**
 * The counter's view from the acknowledgement of the clerk's own command: computed right after that
 * command, so it is at least as fresh as anything received before the acknowledgement, and every
 * `counter:view` after it on the same socket is fresher again. It replaces the view at once (the
 * clerk's next key acts on it) and leaves the seq alone.
 */
export function applyOwnCounterView(model: HallModel, view: CounterView): HallModel {
  return { ...model, snapshot: { ...model.snapshot, counter: view } };
}

/** Counters an area setting (`?area=1F`) keeps; null keeps all. */
export function inArea<T extends { area: string }>(items: T[], area: string | null): T[] {
  return area === null ? items : items.filter((c) => c.area === area);
}
