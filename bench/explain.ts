// What the slowest acknowledgements of a load step waited behind, from the server's trace
// (HALL_TRACE_FILE, server/trace.ts) and the kiosk's own send and receive times. Both sides stamp
// performance.timeOrigin + performance.now(), so they line up on one machine.
//
// Each acknowledgement is split into three parts:
//   waited   from the kiosk's emit until the server read the command (the network, and the event loop
//            busy with something else: listed are what the trace shows running then)
//   handled  from the read to the acknowledgement handed over (the server's own time; its commit)
//   back     from there until the kiosk had the answer (the write, and the kiosk's own loop)
// The command is matched to the ticket:issue the server read first after the emit that ended before the
// answer arrived from the same kiosk (a kiosk sends its next ticket only after the answer to the last).
import type { TraceEntry } from '../server/trace.ts';

export interface SentAck {
  /** the emit, ms since the Unix epoch (performance.timeOrigin + performance.now()) */
  sentAt: number;
  /** emit → answer, ms */
  ms: number;
  /** the kiosk's device id (the trace names the device of each command) */
  device: string;
}

/**
 * how far the two processes' clocks may disagree (ms): each stamps performance.timeOrigin, taken from
 * the wall clock when it started, plus a monotonic clock
 */
const CLOCK_SLACK_MS = 2;

/** entries shorter than this are left out of an explanation (ms) */
const NOTABLE_MS = 1;

export interface AckExplanation {
  ack: SentAck;
  /** null: no ticket:issue in the trace fits (the trace missed it, or the command was refused before the handler) */
  command: { at: number; ms: number } | null;
  waitedMs: number;
  handledMs: number;
  backMs: number;
  /** own commit, ms (null when none was traced inside the command) */
  commitMs: number | null;
  /** what ran on the server's event loop while the command waited, and after its answer until the kiosk had it */
  before: TraceEntry[];
  after: TraceEntry[];
  /** ms of the acknowledgement by cause: 'own commit', 'own handling', 'other command', 'sender', 'http', 'gc', 'waiting for a CPU', 'untraced work', 'not seen on the server' */
  weights: Map<string, number>;
  /** the biggest of them */
  cause: string;
}

const overlaps = (e: TraceEntry, from: number, to: number) => e.at < to && e.at + e.ms > from;

function describe(e: TraceEntry): string {
  switch (e.k) {
    case 'command':
      return `${e.name} ${e.ms.toFixed(1)} ms`;
    case 'commit':
      return `commit ${e.ms.toFixed(1)} ms`;
    case 'http':
      return `HTTP ${e.route} ${e.ms.toFixed(1)} ms`;
    case 'turn':
      return `sender turn ${e.ms.toFixed(1)} ms (changes ${e.takeMs.toFixed(1)})`;
    case 'gc':
      return `gc ${e.kind} ${e.ms.toFixed(1)} ms`;
    case 'dropped':
      return `${e.lines} trace lines dropped`;
    case 'stall':
      return `loop late ${e.ms.toFixed(1)} ms${e.waitCpuMs !== undefined ? ` (waiting for a CPU ${e.waitCpuMs.toFixed(1)})` : ''}`;
  }
}

type Interval = [number, number];

/** Sorted, non-overlapping intervals covering the same time as `list`. */
function union(list: Interval[]): Interval[] {
  const sorted = list.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The parts of `a` inside `b` (both unions). */
function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a0, a1] of a) for (const [b0, b1] of b) if (Math.min(a1, b1) > Math.max(a0, b0)) out.push([Math.max(a0, b0), Math.min(a1, b1)]);
  return union(out);
}

/** The parts of `a` outside `b` (both unions). */
function subtract(a: Interval[], b: Interval[]): Interval[] {
  let rest = a;
  for (const [b0, b1] of b) {
    rest = rest.flatMap(([a0, a1]): Interval[] => {
      const parts: Interval[] = [
        [a0, Math.min(a1, b0)],
        [Math.max(a0, b1), a1],
      ];
      return parts.filter(([x, y]) => y > x);
    });
  }
  return rest;
}

const length = (list: Interval[]) => list.reduce((sum, [a, b]) => sum + (b - a), 0);

/** Matches and splits one acknowledgement. */
export function explainAck(ack: SentAck, trace: readonly TraceEntry[]): AckExplanation {
  const answeredAt = ack.sentAt + ack.ms;
  const candidates = trace.filter(
    (e): e is Extract<TraceEntry, { k: 'command' }> =>
      e.k === 'command' && e.name === 'ticket:issue' && e.device === ack.device && e.at >= ack.sentAt - CLOCK_SLACK_MS && e.at + e.ms <= answeredAt + CLOCK_SLACK_MS,
  );
  const command = candidates.sort((a, b) => a.at - b.at)[0] ?? null;
  if (!command) {
    return { ack, command: null, waitedMs: Number.NaN, handledMs: Number.NaN, backMs: Number.NaN, commitMs: null, before: [], after: [], weights: new Map(), cause: 'not in the trace' };
  }
  // clocks a little apart must not turn a window inside out
  const readAt = Math.min(Math.max(command.at, ack.sentAt), answeredAt);
  const doneAt = Math.max(readAt, Math.min(command.at + command.ms, answeredAt));
  const commit = trace.find((e) => e.k === 'commit' && e.at >= command.at && e.at + e.ms <= command.at + command.ms);
  const notable = (e: TraceEntry) => e !== command && e.ms >= NOTABLE_MS && e.k !== 'commit';
  const before = trace.filter((e) => notable(e) && overlaps(e, ack.sentAt, readAt));
  const after = trace.filter((e) => notable(e) && overlaps(e, doneAt, answeredAt));
  // The time outside the server's handling, split by what the loop was doing, in this order (a late
  // turn of the loop covers whatever ran in it, so it counts only where nothing else was traced); what
  // is left was not seen on the server: the network, the kiosk's side, or server work in turns of the
  // loop less than STALL_MS late (server/trace.ts).
  const outside: Interval[] = [[ack.sentAt, readAt], [doneAt, answeredAt]];
  const weights = new Map<string, number>([
    ['own commit', Math.min(commit?.ms ?? 0, doneAt - readAt)],
    ['own handling', Math.max(0, doneAt - readAt - (commit?.ms ?? 0))],
  ]);
  let covered: Interval[] = [];
  const kinds: [string, (e: TraceEntry) => boolean][] = [
    ['other command', (e) => e.k === 'command'],
    ['sender', (e) => e.k === 'turn'],
    ['http', (e) => e.k === 'http'],
    ['gc', (e) => e.k === 'gc'],
  ];
  const around = [...before, ...after];
  for (const [cause, is] of kinds) {
    const mine = intersect(union(around.filter(is).map((e): Interval => [e.at, e.at + e.ms])), outside);
    weights.set(cause, length(subtract(mine, covered)));
    covered = union([...covered, ...mine]);
  }
  // the rest of each late turn of the loop: the thread waiting for a CPU (its share of the stall), or
  // running something the trace does not name (sockets' own reads and writes, HTTP, timers)
  weights.set('waiting for a CPU', 0);
  weights.set('untraced work', 0);
  const stalls = around.filter((e): e is Extract<TraceEntry, { k: 'stall' }> => e.k === 'stall');
  for (const e of new Set(stalls)) {
    const part = length(subtract(intersect([[e.at, e.at + e.ms]], outside), covered));
    const waiting = e.waitCpuMs !== undefined && e.ms > 0 ? part * (e.waitCpuMs / e.ms) : 0;
    weights.set('waiting for a CPU', weights.get('waiting for a CPU')! + waiting);
    weights.set('untraced work', weights.get('untraced work')! + part - waiting);
  }
  covered = union([...covered, ...intersect(union(stalls.map((e): Interval => [e.at, e.at + e.ms])), outside)]);
  weights.set('not seen on the server', Math.max(0, length(outside) - length(covered)));
  const cause = [...weights].sort((a, b) => b[1] - a[1])[0]![0];
  return {
    ack,
    command: { at: command.at, ms: command.ms },
    waitedMs: readAt - ack.sentAt,
    handledMs: command.ms,
    backMs: answeredAt - doneAt,
    commitMs: commit?.ms ?? null,
    before,
    after,
    weights,
    cause,
  };
}

/** One line for one acknowledgement. */
export function explanationLine(x: AckExplanation, stepStart: number): string {
  const when = `${((x.ack.sentAt - stepStart) / 1000).toFixed(1)} s`;
  if (!x.command) return `${x.ack.ms.toFixed(1)} ms at ${when}: no ticket:issue in the trace fits`;
  const list = (l: TraceEntry[]) => (l.length ? ` (${l.map(describe).join(', ')})` : '');
  return (
    `${x.ack.ms.toFixed(1)} ms at ${when} = waited ${x.waitedMs.toFixed(1)}${list(x.before)} + handled ${x.handledMs.toFixed(1)}` +
    `${x.commitMs !== null ? ` (commit ${x.commitMs.toFixed(1)})` : ''} + back ${x.backMs.toFixed(1)}${list(x.after)}; most: ${x.cause}`
  );
}

/**
 * The `n` slowest acknowledgements explained, and a tally of the biggest cause over every one above
 * `overMs`.
 */
export function explainSlowest(acks: readonly SentAck[], trace: readonly TraceEntry[], n: number, overMs: number): { slowest: AckExplanation[]; tally: Map<string, number>; over: number } {
  const sorted = [...acks].sort((a, b) => b.ms - a.ms);
  const slow = sorted.filter((a) => a.ms > overMs);
  const tally = new Map<string, number>();
  for (const a of slow) {
    const cause = explainAck(a, trace).cause;
    tally.set(cause, (tally.get(cause) ?? 0) + 1);
  }
  return { slowest: sorted.slice(0, n).map((a) => explainAck(a, trace)), tally, over: slow.length };
}
