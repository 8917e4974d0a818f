// One message to thousands of listening sockets (the waves of server/realtime.ts), written cheaply.
//
// Socket.IO's room broadcast encodes a message once, but then goes through socket.io, engine.io and ws
// for every socket: a packet object, a write buffer, a write callback and a 'drain' chain each. Measured
// with 1,600 WebSocket clients on the 2-core bench machine: 18–25 µs of server time per socket, most
// of a call's fan-out and most of what a kiosk's acknowledgement waits behind. Here the message's
// WebSocket frame is built once and written straight to each socket's TCP stream: 12–14 µs per
// socket, nearly all of it the write itself.
//
// That is only done where it cannot reorder or lose anything: the socket is connected on the websocket
// transport, engine.io's session is open and not upgrading, compression is off (engine.io's setting and
// ws's negotiated extensions), ws holds no frames back, and engine.io has nothing queued or in flight
// for it (writeBuffer empty, transport writable: engine.io's own pings and pongs go through that buffer
// too). Everything sent to the socket before went into the same TCP stream earlier, and anything sent
// after goes in later. Every other socket (long-polling, mid-upgrade, a write still pending, a slow
// reader, or a socket.io release whose internals look different) gets the message through socket.io,
// in one emit per shard as before (the caller's part). (Socket.IO's connection
// state recovery, which records every packet sent, must stay off while this is used: realtime.ts does
// not enable it.)
//
// The fields read here are engine.io's and ws's internals, so their shape is checked on every write,
// never assumed; `stats` counts both paths so a test can prove the fast path is really taken with the
// versions installed (test/integration/broadcast.test.ts).
import type { Socket as NetSocket } from 'node:net';

/** A message ready to write: its WebSocket frame. */
export interface PreparedMessage {
  readonly frame: Buffer;
}

/** messages written straight into a socket's stream, and messages left to socket.io */
export const stats = { fast: 0, emitted: 0 };

/**
 * The unmasked, final, single text frame a server sends (RFC 6455 §5.2) carrying `text`.
 * Exported for the test that checks it byte for byte against ws's own framing.
 */
export function textFrame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const n = body.length;
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + n);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  body.copy(frame, headerLength);
  return frame;
}

/**
 * Encodes `event` with `payload` for namespace `nsp` once. The text is what socket.io would send:
 * an Engine.IO message packet ('4') holding a Socket.IO EVENT packet ('2') for the namespace, without
 * an ack id: `42/display,["hall:called",{…}]`. `payload` must be plain JSON: socket.io would send
 * binary data (Buffers) as a separate attachment, which this does not do.
 */
export function prepareMessage(nsp: string, event: string, payload: unknown): PreparedMessage {
  const prefix = nsp === '/' ? '42' : `42${nsp},`;
  return { frame: textFrame(prefix + JSON.stringify([event, payload])) };
}

/** The parts of a socket.io socket this module reads; all optional, all checked. */
interface SocketLike {
  connected?: unknown;
  conn?: unknown;
}

function record(x: unknown): Record<string, unknown> | null {
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : null;
}

/** The TCP stream under a socket.io socket when a frame may be written to it now; null otherwise. */
export function writableStream(socket: SocketLike): NetSocket | null {
  if (socket.connected !== true) return null;
  const conn = record(socket.conn);
  if (!conn || conn.readyState !== 'open' || conn.upgrading !== false) return null;
  if (!Array.isArray(conn.writeBuffer) || conn.writeBuffer.length !== 0) return null;
  const transport = record(conn.transport);
  if (!transport || transport.name !== 'websocket' || transport.writable !== true || transport.perMessageDeflate) return null;
  const ws = record(transport.socket);
  if (!ws || ws.readyState !== 1) return null; // ws's OPEN
  if (record(ws._extensions)?.['permessage-deflate']) return null; // compression negotiated after all
  const sender = record(ws._sender);
  if (!sender || !Array.isArray(sender._queue) || sender._queue.length !== 0) return null; // ws holding frames back
  const stream = record(ws._socket);
  if (!stream || typeof stream.write !== 'function' || stream.destroyed !== false || stream.writable !== true) return null;
  if (stream.writableLength !== 0) return null; // a slow reader: let engine.io hold what it cannot take
  return ws._socket as NetSocket;
}

/**
 * Writes a prepared message straight into one socket's TCP stream when that is safe, and says whether
 * it did. When it did not, the caller sends the same event through socket.io —
 * best in one emit to all such sockets of a shard (`nsp.to(ids)`), so socket.io encodes it once for
 * them as it did before.
 */
export function tryWrite(socket: SocketLike, message: PreparedMessage): boolean {
  const stream = writableStream(socket);
  if (!stream) {
    stats.emitted += 1;
    return false;
  }
  stream.write(message.frame);
  stats.fast += 1;
  return true;
}
