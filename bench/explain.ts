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
  /**
   * ms of the acknowledgement by cause: 'own commit', 'own handling', 'other command', 'sender', 'http',
   * 'gc', 'waiting for a CPU', 'loop late, nothing traced', 'kiosk side', 'not seen on the server'
   */
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

/** A turn of the kiosk's own event loop (the bench's main thread) that came round late: ms since the epoch, ms. */
export interface ClientStall {
  at: number;
  ms: number;
}

/**
 * Matches and splits one acknowledgement. `client`: the late turns of the kiosk's own loop, which hold
 * up its emit and its reading of the answer.
 */
export function explainAck(ack: SentAck, trace: readonly TraceEntry[], client: readonly ClientStall[] = []): AckExplanation {
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
  // The time outside the server's handling, cut where any entry begins or ends; each piece goes to
  //  - a wait for a CPU, for the share of it the server's thread spent waiting (a late turn of its loop
  //    that covers the piece says how much: spread evenly over that turn), and the rest to
  //  - what the server's trace shows running then, in this order: another command (its commit
  //    included), a sender turn, an HTTP request, a garbage collection; or, in a late turn with none of
  //    those, 'loop late, nothing traced': work the trace does not name (sockets' own reads and writes,
  //    timers), or a loop that was idle and was woken late (on the development VM a CPU profile of such
  //    turns found the thread idle in all but a few samples: the machine's wake-up latency, not work);
  //  - otherwise the kiosk's own loop turning late (its emit or its reading of the answer held up);
  //  - otherwise not seen on the server: the network, or work in turns of either loop less than
  //    STALL_MS late (server/trace.ts).
  const outside: Interval[] = [
    [ack.sentAt, readAt],
    [doneAt, answeredAt],
  ];
  const weights = new Map<string, number>([
    ['own commit', Math.min(commit?.ms ?? 0, doneAt - readAt)],
    ['own handling', Math.max(0, doneAt - readAt - (commit?.ms ?? 0))],
    ['other command', 0],
    ['sender', 0],
    ['http', 0],
    ['gc', 0],
    ['waiting for a CPU', 0],
    ['loop late, nothing traced', 0],
    ['kiosk side', 0],
    ['not seen on the server', 0],
  ]);
  const add = (cause: string, ms: number) => weights.set(cause, weights.get(cause)! + ms);
  const around = [...before, ...after];
  const kiosk = client.filter((c) => c.at < answeredAt && c.at + c.ms > ack.sentAt);
  const kinds: [string, TraceEntry['k']][] = [
    ['other command', 'command'],
    ['sender', 'turn'],
    ['http', 'http'],
    ['gc', 'gc'],
  ];
  const covers = (x: { at: number; ms: number }, t: number) => x.at <= t && t < x.at + x.ms;
  for (const [from, to] of outside) {
    const cuts = [from, to, ...[...around, ...kiosk].flatMap((e) => [e.at, e.at + e.ms]).filter((t) => t > from && t < to)].sort((a, b) => a - b);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const piece = cuts[i + 1]! - cuts[i]!;
      if (piece <= 0) continue;
      const mid = cuts[i]! + piece / 2;
      const stall = around.find((e): e is Extract<TraceEntry, { k: 'stall' }> => e.k === 'stall' && covers(e, mid));
      const waiting = stall?.waitCpuMs !== undefined && stall.ms > 0 ? Math.min(1, stall.waitCpuMs / stall.ms) : 0;
      add('waiting for a CPU', piece * waiting);
      const kind = kinds.find(([, k]) => around.some((e) => e.k === k && covers(e, mid)));
      const rest = piece * (1 - waiting);
      if (kind) add(kind[0], rest);
      else if (stall) add('loop late, nothing traced', rest);
      else if (kiosk.some((c) => covers(c, mid))) add('kiosk side', rest);
      else add('not seen on the server', rest);
    }
  }
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
    `${x.commitMs !== null ? ` (commit ${x.commitMs.toFixed(1)})` : ''} + back ${x.backMs.toFixed(1)}${list(x.after)}; by cause: ` +
    [...x.weights]
      .filter(([, ms]) => ms >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([cause, ms]) => `${cause} ${ms.toFixed(1)}`)
      .join(', ')
  );
}

/**
 * The `n` slowest acknowledgements explained, and a tally of the biggest cause over every one above
 * `overMs`.
 */
export function explainSlowest(
  acks: readonly SentAck[],
  trace: readonly TraceEntry[],
  n: number,
  overMs: number,
  client: readonly ClientStall[] = [],
): { slowest: AckExplanation[]; tally: Map<string, number>; over: number } {
  const sorted = [...acks].sort((a, b) => b.ms - a.ms);
  // the acks over the limit and the n slowest are both a head of `sorted`: each is explained once
  const over = sorted.findIndex((a) => a.ms <= overMs);
  const explained = sorted.slice(0, Math.max(n, over === -1 ? sorted.length : over)).map((a) => explainAck(a, trace, client));
  const tally = new Map<string, number>();
  for (const x of explained) if (x.ack.ms > overMs) tally.set(x.cause, (tally.get(x.cause) ?? 0) + 1);
  return { slowest: explained.slice(0, n), tally, over: explained.filter((x) => x.ack.ms > overMs).length };
}
