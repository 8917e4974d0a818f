// A listening display that speaks the Socket.IO v4 / Engine.IO v4 wire protocol itself over one plain
// WebSocket, for the load bench: a socket.io-client instance costs the bench far more CPU per message
// than the server spends sending it, which distorts the server's figures at a few thousand clients.
//
// What it does (docs: socket.io-protocol v5 and engine.io-protocol v4, websocket transport only):
//   server → `0{"sid":…,"pingInterval":…}`         Engine.IO open
//   client → `40/display,{"token":…,"protocolVersion":1}`   Socket.IO CONNECT with auth
//   server → `40/display,{"sid":…}` or `44/display,{"message":…,"data":{…}}` (connect_error)
//   server → `42/display,["event",payload]`         events, one text frame each
//   server → `2` (ping)  client → `3` (pong)
// It parses only what the bench needs: hall:snapshot (JSON, once per connect), hall:called (JSON, a few
// per second) and the seq range of hall:update, read from the raw bytes without decoding the frame (the
// server writes `{"seq":N,"fromSeq":M,` first). Everything else is counted and dropped. No reconnection,
// no acks, no binary packets, no polling transport, no root namespace; no UTF-8 validation of frames
// (ws's check is bench CPU a display would spend on its own machine).
import { WebSocket, type RawData } from 'ws';
import { PROTOCOL_VERSION, type CallView, type HallSnapshot } from '../../shared/protocol.ts';

export interface LightDisplayOptions {
  /** http://127.0.0.1:PORT (the hall server's base URL) */
  url: string;
  token: string;
  /** a non-root namespace; default /display */
  namespace?: string;
  protocolVersion?: number;
  /** the first hall:snapshot must arrive within this (ms) */
  connectTimeoutMs?: number;
  /**
   * Every hall:called (recalls included), with its receipt time on the performance.timeOrigin +
   * performance.now() clock, taken as the frame arrives, before it is parsed.
   */
  onCalled?: (call: CallView, receivedAt: number) => void;
  /** the seq (and fromSeq: the first commit it covers) of every hall:update, in arrival order */
  onUpdate?: (seq: number, fromSeq: number) => void;
}

export class LightDisplayError extends Error {
  /** the connect_error's data ({ code, message } from the hall server), when the server refused */
  readonly data: unknown;
  constructor(message: string, data?: unknown) {
    super(message);
    this.name = 'LightDisplayError';
    this.data = data;
  }
}

const PING = 0x32; // '2'
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

function startsWith(buf: Buffer, prefix: Buffer, at = 0): boolean {
  return buf.length >= at + prefix.length && buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}

const FROM_SEQ = Buffer.from(',"fromSeq":');

/** The decimal integer written at `at`, and where it ends; null when there is none. */
function readInt(buf: Buffer, at: number): { value: number; end: number } | null {
  let value = 0;
  let i = at;
  for (; i < buf.length; i++) {
    const c = buf[i]!;
    if (c < DIGIT_0 || c > DIGIT_9) break;
    value = value * 10 + (c - DIGIT_0);
  }
  return i > at ? { value, end: i } : null;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export class LightDisplay {
  readonly namespace: string;
  /** resolves with the first hall:snapshot; rejects on connect_error, close or timeout */
  readonly ready: Promise<HallSnapshot>;
  /** Engine.IO session id and the namespace socket id */
  engineSid: string | null = null;
  sid: string | null = null;
  pingInterval = 0;
  /** last seq seen: the latest snapshot's or update's */
  seq = -1;
  snapshots = 0;
  updates = 0;
  calls = 0;
  /** hall:update messages that started after a gap (fromSeq > last + 1): messages lost */
  gaps = 0;
  /** hall:update seq values not after the last one: should never happen */
  outOfOrder = 0;
  pings = 0;
  /** packets of other events or kinds, counted and not parsed */
  other = 0;
  closed = false;
  closeReason = '';

  private readonly ws: WebSocket;
  private readonly onCalled: ((call: CallView, receivedAt: number) => void) | null;
  private readonly onUpdate: ((seq: number, fromSeq: number) => void) | null;
  private readonly pUpdateSeq: Buffer;
  private readonly pUpdate: Buffer;
  private readonly pCalled: Buffer;
  private readonly pSnapshot: Buffer;
  private readonly pEvent: Buffer;
  private readonly connectPacket: string;
  private resolveReady!: (s: HallSnapshot) => void;
  private rejectReady!: (e: Error) => void;
  private settled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(o: LightDisplayOptions) {
    this.namespace = o.namespace ?? '/display';
    if (!this.namespace.startsWith('/') || this.namespace === '/') throw new Error(`LightDisplay: a non-root namespace, not ${this.namespace}`);
    const nsp = this.namespace;
    this.onCalled = o.onCalled ?? null;
    this.onUpdate = o.onUpdate ?? null;
    this.pEvent = Buffer.from(`42${nsp},[`);
    this.pUpdate = Buffer.from(`42${nsp},["hall:update",`);
    this.pUpdateSeq = Buffer.from(`42${nsp},["hall:update",{"seq":`);
    this.pCalled = Buffer.from(`42${nsp},["hall:called",`);
    this.pSnapshot = Buffer.from(`42${nsp},["hall:snapshot",`);
    this.connectPacket = `40${nsp},${JSON.stringify({ token: o.token, protocolVersion: o.protocolVersion ?? PROTOCOL_VERSION })}`;
    this.ready = new Promise<HallSnapshot>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // a caller that never awaits it must not crash the process
    const timeoutMs = o.connectTimeoutMs ?? 30_000;
    this.timer = setTimeout(() => this.fail(new LightDisplayError(`no hall:snapshot within ${timeoutMs} ms`)), timeoutMs);

    const wsUrl = `${o.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    this.ws = new WebSocket(wsUrl, { perMessageDeflate: false, skipUTF8Validation: true });
    this.ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    this.ws.on('error', (err) => this.fail(new LightDisplayError(`websocket: ${err.message}`)));
    this.ws.on('close', (code, reason) => {
      this.closed = true;
      if (!this.closeReason) this.closeReason = `websocket closed ${code}${reason.length ? ` ${reason.toString()}` : ''}`;
      this.fail(new LightDisplayError(this.closeReason));
    });
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const receivedAt = performance.timeOrigin + performance.now();
    const buf = toBuffer(data);
    if (isBinary || buf.length === 0) {
      this.other += 1;
      return;
    }
    const kind = buf[0]!;
    if (kind === PING) {
      this.pings += 1;
      this.ws.send('3');
      return;
    }
    // the hot path: hall:update, seq and fromSeq read from the bytes (the server writes them first)
    if (startsWith(buf, this.pUpdateSeq)) {
      const seq = readInt(buf, this.pUpdateSeq.length);
      const from = seq && startsWith(buf, FROM_SEQ, seq.end) ? readInt(buf, seq.end + FROM_SEQ.length) : null;
      if (seq && from) return this.onUpdateSeq(seq.value, from.value);
    }
    if (startsWith(buf, this.pCalled)) {
      this.calls += 1;
      const call = this.eventPayload<CallView>(buf);
      if (call && this.onCalled) this.onCalled(call, receivedAt);
      return;
    }
    if (startsWith(buf, this.pUpdate)) {
      // an update whose seq is not written first: parse it
      const u = this.eventPayload<{ seq: number; fromSeq?: number }>(buf);
      if (u && typeof u.seq === 'number') this.onUpdateSeq(u.seq, typeof u.fromSeq === 'number' ? u.fromSeq : u.seq);
      return;
    }
    if (startsWith(buf, this.pSnapshot)) {
      const s = this.eventPayload<HallSnapshot>(buf);
      if (!s) return;
      this.snapshots += 1;
      this.seq = s.seq;
      if (!this.settled) {
        this.settled = true;
        clearTimeout(this.timer);
        this.resolveReady(s);
      }
      return;
    }
    if (startsWith(buf, this.pEvent)) {
      this.other += 1;
      return;
    }
    this.onControl(buf.toString('utf8'));
  }

  private onUpdateSeq(seq: number, fromSeq: number): void {
    this.updates += 1;
    if (this.seq >= 0) {
      if (seq <= this.seq) this.outOfOrder += 1;
      else if (fromSeq > this.seq + 1) this.gaps += 1;
    }
    if (seq > this.seq) this.seq = seq;
    this.onUpdate?.(seq, fromSeq);
  }

  /** The payload of `42/nsp,["event",payload]`: the frame is one JSON array after the prefix. */
  private eventPayload<T>(buf: Buffer): T | null {
    try {
      const arr = JSON.parse(buf.toString('utf8', this.pEvent.length - 1)) as unknown[];
      return (arr[1] ?? null) as T | null;
    } catch {
      this.other += 1;
      return null;
    }
  }

  /** Engine.IO open/close/noop and Socket.IO connect, connect_error and disconnect. */
  private onControl(text: string): void {
    const nsp = this.namespace;
    if (text[0] === '0') {
      const open = JSON.parse(text.slice(1)) as { sid?: string; pingInterval?: number };
      this.engineSid = open.sid ?? null;
      this.pingInterval = open.pingInterval ?? 0;
      this.ws.send(this.connectPacket);
      return;
    }
    if (text === '1') {
      this.closeReason = 'engine.io close packet';
      this.ws.close();
      return;
    }
    if (text === '6') return; // noop
    if (text.startsWith(`40${nsp},`)) {
      const ok = JSON.parse(text.slice(nsp.length + 3)) as { sid?: string };
      this.sid = ok.sid ?? null;
      return;
    }
    if (text.startsWith(`44${nsp},`)) {
      const err = JSON.parse(text.slice(nsp.length + 3)) as { message?: string; data?: unknown };
      this.closeReason = `connect_error: ${err.message ?? 'refused'}`;
      this.fail(new LightDisplayError(this.closeReason, err.data));
      this.ws.close();
      return;
    }
    if (text.startsWith(`41${nsp}`)) {
      this.closeReason = 'disconnected by the server';
      this.ws.close();
      return;
    }
    this.other += 1;
  }

  private fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.rejectReady(err);
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.terminate();
  }

  get connected(): boolean {
    return this.settled && !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Leaves the namespace and closes the connection. */
  close(): void {
    if (!this.settled) this.fail(new LightDisplayError('closed before connecting'));
    if (this.ws.readyState === WebSocket.OPEN) {
      this.closeReason = this.closeReason || 'closed by the client';
      this.ws.send(`41${this.namespace},`);
      this.ws.close();
    }
  }
}

/** Opens a light display and waits for its first hall:snapshot. */
export async function connectLightDisplay(o: LightDisplayOptions): Promise<LightDisplay> {
  const d = new LightDisplay(o);
  await d.ready;
  return d;
}
