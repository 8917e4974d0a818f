import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { prepareMessage, stats, textFrame, tryWrite, writableStream } from './fast-broadcast.ts';

// ws's own framing (its Sender is not in its type declarations)
const wsFrame = (text: string): Buffer =>
  Buffer.concat(
    (ws as unknown as { Sender: { frame(data: Buffer, o: object): Buffer[] } }).Sender.frame(Buffer.from(text), {
      fin: true,
      rsv1: false,
      opcode: 1,
      mask: false,
      readOnly: false,
    }),
  );

describe('textFrame', () => {
  it('frames text exactly as ws does, at every length encoding', () => {
    for (const n of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
      const text = 'x'.repeat(n);
      expect(textFrame(text).equals(wsFrame(text)), `length ${n}`).toBe(true);
    }
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = '请 A001 到 3 号窗口'.repeat(10);
    expect(textFrame(text).equals(wsFrame(text))).toBe(true);
  });
});

describe('prepareMessage', () => {
  it('writes an Engine.IO message holding a Socket.IO event for the namespace', () => {
    const m = prepareMessage('/display', 'hall:called', { seq: 3, name: '综合窗口' });
    expect(m.frame.subarray(2).toString()).toBe('42/display,["hall:called",{"seq":3,"name":"综合窗口"}]');
    expect(prepareMessage('/', 'e', 1).frame.subarray(2).toString()).toBe('42["e",1]');
  });
});

describe('writableStream and tryWrite', () => {
  /** the shape socket.io 4 / engine.io 6 / ws 8 have for an idle websocket connection */
  function idleSocket() {
    const written: Buffer[] = [];
    const stream = { destroyed: false, writable: true, writableLength: 0, write: (b: Buffer) => written.push(b) };
    const webSocket = { readyState: 1, _socket: stream, _extensions: {} as Record<string, unknown>, _sender: { _queue: [] as unknown[] } };
    const transport = { name: 'websocket', writable: true, perMessageDeflate: null as object | null, socket: webSocket };
    const conn = { readyState: 'open', upgrading: false, writeBuffer: [] as unknown[], transport };
    return { socket: { connected: true, conn }, conn, transport, ws: webSocket, stream, written };
  }

  it('takes the stream of an idle websocket connection', () => {
    const s = idleSocket();
    expect(writableStream(s.socket)).toBe(s.stream);
  });

  it.each([
    ['disconnected', (s: ReturnType<typeof idleSocket>) => void (s.socket.connected = false)],
    ['engine.io closing', (s: ReturnType<typeof idleSocket>) => void (s.conn.readyState = 'closing')],
    ['mid-upgrade', (s: ReturnType<typeof idleSocket>) => void (s.conn.upgrading = true)],
    ['packets queued in engine.io', (s: ReturnType<typeof idleSocket>) => void s.conn.writeBuffer.push({})],
    ['long-polling', (s: ReturnType<typeof idleSocket>) => void (s.transport.name = 'polling')],
    ['a write in flight', (s: ReturnType<typeof idleSocket>) => void (s.transport.writable = false)],
    ['compression on', (s: ReturnType<typeof idleSocket>) => void (s.transport.perMessageDeflate = {})],
    ['WebSocket closing', (s: ReturnType<typeof idleSocket>) => void (s.ws.readyState = 2)],
    ['compressing in ws', (s: ReturnType<typeof idleSocket>) => void (s.ws._extensions['permessage-deflate'] = {})],
    ['frames queued in ws', (s: ReturnType<typeof idleSocket>) => void s.ws._sender._queue.push([])],
    ['stream destroyed', (s: ReturnType<typeof idleSocket>) => void (s.stream.destroyed = true)],
    ['a slow reader', (s: ReturnType<typeof idleSocket>) => void (s.stream.writableLength = 10)],
    ['internals of another shape', (s: ReturnType<typeof idleSocket>) => void (s.ws._socket = undefined as unknown as typeof s.stream)],
  ])('refuses a connection that is %s', (_name, spoil) => {
    const s = idleSocket();
    spoil(s);
    expect(writableStream(s.socket)).toBeNull();
  });

  it('writes the frame where it may, and leaves the message to socket.io where it may not', () => {
    const message = prepareMessage('/display', 'hall:update', { seq: 1 });
    const fast = idleSocket();
    const slow = idleSocket();
    slow.transport.writable = false;
    const before = { ...stats };
    expect(tryWrite(fast.socket, message)).toBe(true);
    expect(tryWrite(slow.socket, message)).toBe(false);
    expect(fast.written).toEqual([message.frame]);
    expect(slow.written).toEqual([]);
    expect(stats).toEqual({ fast: before.fast + 1, emitted: before.emitted + 1 });
  });
});
