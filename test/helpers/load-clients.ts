// Clients that behave like real hall devices under load and across server restarts: a screen that
// mirrors the hall from its snapshot plus gapless updates (and asks for `hall:sync` after a gap), a
// kiosk that retries the SAME idempotency key until it gets an answer, and a clerk's counter that
// signs in again after every reconnect. Used by test/fault and bench/load.ts.
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type Ack,
  type CounterCommandResult,
  type CounterPublicView,
  type CounterStatus,
  type HallSnapshot,
  type HallUpdate,
  type IssueTicketResult,
  type Outcome,
  type SignInResult,
} from '../../shared/protocol.ts';
import { mulberry32 } from './random.ts';
export { mulberry32 };

// ------------------------------------------------------------------ small utilities


export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** RSS and CPU seconds (user + system) of a process, from /proc. */
export function processStats(pid: number): { rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime, fields 14 and 15
  return { rssMb: rssKb / 1024, cpuSeconds: ticks / 100 };
}

/** Polls `check` until it is true; throws after `timeoutMs`. The deadline is the assertion. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
}

/** A reconnecting Socket.IO client as a device would open it (fast retries: a hall server restarts in about a second). */
export function deviceSocket(url: string, namespace: string, token: string): Socket {
  return io(url + namespace, {
    auth: { token, protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1_000,
    randomizationFactor: 0.3,
  });
}

export type EmitResult<T> = { kind: 'ack'; ack: Ack<T> } | { kind: 'lost'; why: 'timeout' | 'disconnected' | 'not-connected' };

/**
 * Emits a command and waits for its acknowledgement, the connection dropping, or `timeoutMs`.
 * A lost answer says nothing about whether the server committed the command.
 */
export function emitCommand<T>(socket: Socket, event: string, payload: unknown, timeoutMs = 3_000): Promise<EmitResult<T>> {
  if (!socket.connected) return Promise.resolve({ kind: 'lost', why: 'not-connected' });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: EmitResult<T>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('disconnect', onDisconnect);
      resolve(r);
    };
    const onDisconnect = () => finish({ kind: 'lost', why: 'disconnected' });
    const timer = setTimeout(() => finish({ kind: 'lost', why: 'timeout' }), timeoutMs);
    socket.once('disconnect', onDisconnect);
    const onAck = (ack: Ack<T>) => finish({ kind: 'ack', ack });
    if (payload === undefined) socket.emit(event, onAck);
    else socket.emit(event, payload, onAck);
  });
}

// ------------------------------------------------------------------ the hall as a screen sees it

export interface MirrorComparison {
  equal: boolean;
  /** what differed, for the failure message */
  diff: string;
  seq: number;
}

/**
 * Keeps a client's picture of the hall from `hall:snapshot` (on every connect) plus `hall:update`
 * messages applied in seq order; on a gap it asks for `hall:sync` and replaces its picture with the
 * answer, as docs/protocol.md tells every client to do.
 */
export class HallMirror {
  readonly socket: Socket;
  readonly name: string;
  seq = -1;
  waiting = new Map<string, number>();
  counters = new Map<string, CounterPublicView>();
  /** bumped by every snapshot (connect, day rollover, sync answer) */
  generation = 0;
  /** seq of each snapshot received on (re)connect, in order */
  readonly connectSnapshotSeqs: number[] = [];
  /** highest seq this client has been shown */
  maxSeqSeen = -1;
  gaps = 0;
  syncRequests = 0;
  /** test hook: drop the next N updates as if the network had lost them */
  dropNextUpdates = 0;
  /** seq values that arrived out of order (seq < last + 1 while in step): should never happen */
  readonly outOfOrder: string[] = [];
  private syncing = false;

  constructor(socket: Socket, name: string) {
    this.socket = socket;
    this.name = name;
    socket.on('hall:snapshot', (s: HallSnapshot) => {
      this.replace(s);
      this.connectSnapshotSeqs.push(s.seq);
    });
    socket.on('hall:update', (u: HallUpdate) => this.onUpdate(u));
  }

  private replace(s: HallSnapshot): void {
    this.generation += 1;
    this.syncing = false;
    this.seq = s.seq;
    this.maxSeqSeen = Math.max(this.maxSeqSeen, s.seq);
    this.waiting = new Map(s.services.map((x) => [x.id, x.waiting]));
    this.counters = new Map(s.counters.map((c) => [c.id, c]));
  }

  private onUpdate(u: HallUpdate): void {
    this.maxSeqSeen = Math.max(this.maxSeqSeen, u.seq);
    if (this.dropNextUpdates > 0) {
      this.dropNextUpdates -= 1;
      return;
    }
    if (this.syncing) return; // the sync answer covers everything up to its seq; later updates follow it in order
    if (u.seq <= this.seq) {
      this.outOfOrder.push(`${this.name}: update seq ${u.seq} after ${this.seq}`);
      return;
    }
    if (u.fromSeq > this.seq + 1) {
      this.gaps += 1;
      this.requestSync();
      return;
    }
    this.seq = u.seq;
    for (const s of u.services) this.waiting.set(s.id, s.waiting);
    for (const c of u.counters) this.counters.set(c.id, c);
  }

  /** What a client does after a gap: ask for a fresh snapshot and take it as the state. */
  requestSync(): void {
    this.syncing = true;
    this.syncRequests += 1;
    const generation = this.generation;
    this.socket.emit('hall:sync', (ack: Ack<HallSnapshot>) => {
      if (this.generation !== generation) return; // a reconnect snapshot came first
      if (ack.ok) this.replace(ack.data);
      else this.syncing = false;
    });
  }

  /**
   * Asks the server for a fresh snapshot on this client's own socket and compares it with the mirror
   * at the moment the answer arrives. Messages on one socket arrive in order, so every update up to the
   * answer's seq has been applied by then: an exact comparison even under load.
   */
  compareWithServer(timeoutMs = 1_000): Promise<MirrorComparison> {
    if (!this.socket.connected) return Promise.resolve({ equal: false, diff: `${this.name}: not connected`, seq: this.seq });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ equal: false, diff: `${this.name}: no hall:sync answer`, seq: this.seq }), timeoutMs);
      this.socket.emit('hall:sync', (ack: Ack<HallSnapshot>) => {
        clearTimeout(timer);
        if (!ack.ok) return resolve({ equal: false, diff: `${this.name}: hall:sync refused ${ack.error.code}`, seq: this.seq });
        resolve(this.diffAgainst(ack.data));
      });
    });
  }

  diffAgainst(s: HallSnapshot): MirrorComparison {
    const diffs: string[] = [];
    if (this.syncing) diffs.push('a gap sync is in flight');
    if (s.seq !== this.seq) diffs.push(`seq ${this.seq} ≠ server ${s.seq}`);
    for (const svc of s.services) {
      const mine = this.waiting.get(svc.id);
      if (mine !== svc.waiting) diffs.push(`waiting[${svc.id}] ${mine} ≠ server ${svc.waiting}`);
    }
    if (this.waiting.size !== s.services.length) diffs.push(`${this.waiting.size} services ≠ server ${s.services.length}`);
    for (const c of s.counters) {
      const mine = this.counters.get(c.id);
      const a = mine ? `${mine.status}/${mine.current?.number ?? '-'}/${mine.staff?.staffNo ?? '-'}` : 'missing';
      const b = `${c.status}/${c.current?.number ?? '-'}/${c.staff?.staffNo ?? '-'}`;
      if (a !== b) diffs.push(`counter ${c.id} ${a} ≠ server ${b}`);
    }
    return { equal: diffs.length === 0, diff: diffs.length ? `${this.name}: ${diffs.slice(0, 6).join('; ')}` : '', seq: s.seq };
  }
}

// ------------------------------------------------------------------ a kiosk that retries its key

export interface AckedTicket {
  key: string;
  serviceId: string;
  id: string;
  number: string;
  trackingToken: string;
}

export interface KioskStats {
  acked: AckedTicket[];
  /** keys whose answer was lost (or refused for a passing reason) and that were sent again */
  retriedKeys: Set<string>;
  /** keys already answered that were deliberately sent again */
  replayedKeys: Set<string>;
  /** a key answered with two different tickets: must never happen */
  conflicts: string[];
  refusals: Map<string, number>;
  /** issue acknowledgement latencies (ms), answered attempts only */
  latencies: number[];
}

export class ReliableKiosk {
  readonly socket: Socket;
  readonly mirror: HallMirror;
  readonly name: string;
  readonly stats: KioskStats = { acked: [], retriedKeys: new Set(), replayedKeys: new Set(), conflicts: [], refusals: new Map(), latencies: [] };
  private readonly byKey = new Map<string, AckedTicket>();
  private pending: { key: string; serviceId: string } | null = null;
  private keyCounter = 0;
  /** called just after each ticket:issue is written to the socket */
  onSend: (() => void) | null = null;

  constructor(url: string, token: string, name: string) {
    this.socket = deviceSocket(url, '/kiosk', token);
    this.mirror = new HallMirror(this.socket, name);
    this.name = name;
  }

  /** One visitor attempt, or the retry of the unanswered one. Returns whether it got an answer. */
  async issueOnce(pickService: () => string, timeoutMs = 3_000): Promise<boolean> {
    if (!this.pending) {
      this.keyCounter += 1;
      this.pending = { key: `${this.name}-${process.pid}-${Date.now()}-${this.keyCounter}`, serviceId: pickService() };
    }
    const { key, serviceId } = this.pending;
    const t0 = performance.now();
    const answer = emitCommand<IssueTicketResult>(this.socket, 'ticket:issue', { serviceId, idempotencyKey: key }, timeoutMs);
    this.onSend?.();
    const r = await answer;
    if (r.kind === 'lost') {
      if (r.why !== 'not-connected') this.stats.retriedKeys.add(key);
      return false;
    }
    if (!r.ack.ok) {
      const code = r.ack.error.code;
      this.stats.refusals.set(code, (this.stats.refusals.get(code) ?? 0) + 1);
      // a refusal that says nothing was committed for a reason that may pass: retry the same key
      if (code === 'RATE_LIMITED' || code === 'STORE_UNAVAILABLE' || code === 'INTERNAL') {
        this.stats.retriedKeys.add(key);
        return false;
      }
      this.pending = null;
      return true;
    }
    this.stats.latencies.push(performance.now() - t0);
    const t = r.ack.data.ticket;
    const seen = this.byKey.get(key);
    if (seen && seen.id !== t.id) this.stats.conflicts.push(`${key}: ${seen.id}/${seen.number} then ${t.id}/${t.number}`);
    if (!seen) {
      const acked = { key, serviceId, id: t.id, number: t.number, trackingToken: t.trackingToken };
      this.byKey.set(key, acked);
      this.stats.acked.push(acked);
    }
    this.pending = null;
    return true;
  }

  /** Sends the same key once more (a kiosk that is unsure whether its answer arrived). */
  async replayLast(): Promise<void> {
    const last = this.stats.acked.at(-1);
    if (!last || this.pending) return;
    this.pending = { key: last.key, serviceId: last.serviceId };
    this.stats.replayedKeys.add(last.key);
    await this.issueOnce(() => last.serviceId);
    await this.settle(5_000);
  }

  /** Issues until `stop()`; an unanswered attempt is retried with the same key once connected again. */
  async run(stop: () => boolean, pickService: () => string, pauseMs: () => number): Promise<void> {
    while (!stop()) {
      if (!this.socket.connected) {
        await sleep(25);
        continue;
      }
      const answered = await this.issueOnce(pickService);
      await sleep(answered ? pauseMs() : 50);
    }
  }

  /** After the load: the attempt still unanswered is retried until it is answered (or `timeoutMs`). */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending && Date.now() < deadline) {
      if (!this.socket.connected || !(await this.issueOnce(() => 'unused'))) await sleep(50);
    }
    if (this.pending) throw new Error(`${this.name}: key ${this.pending.key} still unanswered after ${timeoutMs} ms`);
  }

  hasPending(): boolean {
    return this.pending !== null;
  }

  close(): void {
    this.socket.close();
  }
}

// ------------------------------------------------------------------ a clerk at a counter

export interface CounterAct {
  command: string;
  ticketId: string;
  number: string;
  /** the ticket's status in the acknowledgement */
  status: string;
}

export class ClerkCounter {
  readonly socket: Socket;
  readonly mirror: HallMirror;
  readonly name: string;
  readonly acts: CounterAct[] = [];
  readonly refusals = new Map<string, number>();
  readonly lostAnswers = { n: 0 };
  signIns = 0;
  status: CounterStatus = 'signed_out';
  private signedIn = false;
  private readonly login: string;
  private readonly password: string;

  constructor(url: string, token: string, login: string, password: string, name: string) {
    this.socket = deviceSocket(url, '/counter', token);
    this.mirror = new HallMirror(this.socket, name);
    this.name = name;
    this.login = login;
    this.password = password;
    // the server forgets a socket's clerk with the socket: sign in again on every new connection
    this.socket.on('disconnect', () => (this.signedIn = false));
  }

  private refuse(code: string): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
  }

  async signIn(): Promise<boolean> {
    const r = await emitCommand<SignInResult>(this.socket, 'staff:sign-in', { login: this.login, password: this.password }, 5_000);
    if (r.kind === 'lost') return false;
    if (!r.ack.ok) {
      this.refuse(r.ack.error.code);
      return false;
    }
    this.signIns += 1;
    this.signedIn = true;
    this.status = r.ack.data.view.status;
    return true;
  }

  /** One step of a clerk's work: call, then start or mark a no-show, then complete. */
  async step(rng: () => number): Promise<'done' | 'idle' | 'lost'> {
    if (!this.signedIn) return (await this.signIn()) ? 'done' : 'lost';
    let event: string;
    let payload: unknown;
    switch (this.status) {
      case 'idle':
        event = 'counter:call-next';
        break;
      case 'calling':
        event = rng() < 0.2 ? 'counter:no-show' : 'counter:start';
        break;
      case 'serving': {
        const outcomes: Outcome[] = ['concluded', 'accepted', 'accepted_pending', 'returned', 'consulted'];
        event = 'counter:complete';
        payload = { outcome: outcomes[Math.floor(rng() * outcomes.length)]! };
        break;
      }
      case 'paused':
        event = 'counter:unpause';
        break;
      default:
        this.signedIn = false;
        return 'lost';
    }
    const r = await emitCommand<CounterCommandResult>(this.socket, event, payload);
    if (r.kind === 'lost') {
      this.lostAnswers.n += 1;
      return 'lost';
    }
    if (!r.ack.ok) {
      const code = r.ack.error.code;
      this.refuse(code);
      if (code === 'NOT_SIGNED_IN' || code === 'SESSION_EXPIRED') this.signedIn = false;
      return code === 'NO_TICKET_WAITING' ? 'idle' : 'lost';
    }
    this.status = r.ack.data.view.status;
    const t = r.ack.data.ticket;
    if (t) this.acts.push({ command: event, ticketId: t.id, number: t.number, status: t.status });
    return 'done';
  }

  async run(stop: () => boolean, rng: () => number, pauseMs: () => number): Promise<void> {
    while (!stop()) {
      if (!this.socket.connected) {
        await sleep(25);
        continue;
      }
      const r = await this.step(rng);
      await sleep(r === 'done' ? pauseMs() : r === 'idle' ? 150 : 50);
    }
  }

  close(): void {
    this.socket.close();
  }
}

// ------------------------------------------------------------------ a display screen

export class DisplayScreen {
  readonly socket: Socket;
  readonly mirror: HallMirror;
  /** ticket ids announced by hall:called */
  readonly called = new Set<string>();

  constructor(url: string, token: string, name: string) {
    this.socket = deviceSocket(url, '/display', token);
    this.mirror = new HallMirror(this.socket, name);
    this.socket.on('hall:called', (c: { ticket: { id: string } }) => this.called.add(c.ticket.id));
  }

  close(): void {
    this.socket.close();
  }
}
