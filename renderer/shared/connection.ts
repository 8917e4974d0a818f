// One Socket.IO connection per screen: token auth, automatic reconnects, snapshot on every (re)connect,
// seq-gap recovery with hall:sync, and commands that are never replayed after the fact.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ErrorCode } from '../../shared/errors.ts';
import {
  PROTOCOL_VERSION,
  SYNC_COMMAND,
  type Ack,
  type AckCallback,
  type CallView,
  type ConnectErrorData,
  type CounterClientEvents,
  type CounterView,
  type CounterViewMessage,
  type DeviceKind,
  type HallSnapshot,
  type HallUpdate,
  type KioskClientEvents,
  type ManagerClientEvents,
  type NAMESPACES,
} from '../../shared/protocol.ts';
import { applyCall, applyCounterView, applyOwnCounterView, applyUpdate, fromSnapshot, type Applied, type HallModel } from './hall-model.ts';

export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'refused';

export type ClientErrorCode = ErrorCode | 'OFFLINE' | 'TIMEOUT';
export interface ClientError {
  code: ClientErrorCode;
  message: string;
}
export type ClientAck<T> = { ok: true; data: T } | { ok: false; error: ClientError };

export interface HallConnection {
  socket: Socket | null;
  status: ConnectionStatus;
  refusal: ConnectErrorData['code'] | null;
  model: HallModel | null;
  /** bumps on every fresh snapshot (connect, reconnect, gap) */
  snapshotCount: number;
}

export interface HallConnectionHandle extends HallConnection {
  /** takes the counter's view from the acknowledgement of this terminal's own command (hall-model applyOwnCounterView) */
  takeCounterView: (view: CounterView) => void;
}

export interface ConnectionOptions {
  namespace: (typeof NAMESPACES)[DeviceKind];
  token: string | null;
  /** a live call (not one replayed by a snapshot) */
  onCall?: (call: CallView) => void;
  /** a fresh snapshot arrived (first connect or reconnect) */
  onSnapshot?: (snapshot: HallSnapshot) => void;
}

export const COMMAND_TIMEOUT_MS = 8_000;
/** a connection refused as RATE_LIMITED is tried again after 5–10 s */
const RATE_LIMITED_RETRY_MS = 5_000;

function isConnectErrorData(value: unknown): value is ConnectErrorData {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string';
}

export function useHallConnection(options: ConnectionOptions): HallConnectionHandle {
  const { namespace, token } = options;
  const [state, setState] = useState<HallConnection>({ socket: null, status: 'connecting', refusal: null, model: null, snapshotCount: 0 });
  const callbacks = useRef(options);
  callbacks.current = options;
  const ownView = useRef<(view: CounterView) => void>(() => {});
  const takeCounterView = useCallback((view: CounterView) => ownView.current(view), []);

  useEffect(() => {
    if (!token) return;
    const socket = io(namespace, {
      auth: { token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 3_000,
      timeout: 5_000,
    });
    let model: HallModel | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    setState({ socket, status: 'connecting', refusal: null, model: null, snapshotCount: 0 });

    const takeSnapshot = (snapshot: HallSnapshot) => {
      model = fromSnapshot(snapshot, Date.now());
      const current = model;
      setState((s) => ({ ...s, status: 'online', refusal: null, model: current, snapshotCount: s.snapshotCount + 1 }));
      callbacks.current.onSnapshot?.(snapshot);
    };
    const sync = () => {
      socket.timeout(COMMAND_TIMEOUT_MS).emit(SYNC_COMMAND, (err: Error | null, answer: Ack<HallSnapshot>) => {
        if (!err && answer.ok) takeSnapshot(answer.data);
      });
    };
    const apply = (step: (m: HallModel) => Applied) => {
      if (!model) return;
      const { model: next, gap } = step(model);
      model = next;
      setState((s) => ({ ...s, model: next }));
      if (gap) sync();
    };

    ownView.current = (view) => apply((m) => ({ model: applyOwnCounterView(m, view), gap: false }));
    socket.on('hall:snapshot', takeSnapshot);
    socket.on('hall:update', (update: HallUpdate) => apply((m) => applyUpdate(m, update, Date.now())));
    socket.on('hall:called', (call: CallView) => {
      const before = model;
      apply((m) => applyCall(m, call));
      if (before && call.seq >= before.seq) callbacks.current.onCall?.(call);
    });
    socket.on('counter:view', (message: CounterViewMessage) => apply((m) => applyCounterView(m, message)));
    socket.on('connect', () => setState((s) => ({ ...s, status: s.model ? s.status : 'connecting' })));
    socket.on('disconnect', () => {
      socket.sendBuffer = [];
      setState((s) => ({ ...s, status: 'offline' }));
    });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (isConnectErrorData(err.data) && err.data.code === 'RATE_LIMITED') {
        // Too many connections on this device's token for now (a dropped one not yet timed out, or
        // screens sharing a token): not a refusal for good. Try again in a while, spread out.
        setState((s) => ({ ...s, status: 'offline' }));
        retryTimer = setTimeout(() => socket.connect(), RATE_LIMITED_RETRY_MS * (1 + Math.random()));
        return;
      }
      if (isConnectErrorData(err.data)) {
        // Refused by the server's auth: socket.io does not retry these by itself; nor should we spin.
        const refusal = err.data.code;
        setState((s) => ({ ...s, status: 'refused', refusal }));
        return;
      }
      setState((s) => ({ ...s, status: s.status === 'connecting' && !s.model ? 'connecting' : 'offline' }));
    });
    socket.io.on('reconnect_attempt', () => setState((s) => (s.status === 'online' ? { ...s, status: 'offline' } : s)));

    return () => {
      clearTimeout(retryTimer);
      socket.removeAllListeners();
      socket.io.removeAllListeners();
      socket.disconnect();
    };
  }, [namespace, token]);

  return useMemo(() => ({ ...state, takeCounterView }), [state, takeCounterView]);
}

/** a resume that got no answer (or a refusal that passes) on a live connection is asked again after this long */
export const RESUME_RETRY_MS = 2_000;

export interface ResumeOptions {
  /** runs on every (re)connect, before the resume: the new connection holds no sign-in yet */
  onConnect: () => void;
  /**
   * Sends the sign-in again with the session it continues, and resolves with its refusal; null when there is
   * nothing to continue, when it went through, or when the page let go of that session meanwhile.
   */
  resume: () => Promise<ClientError | null>;
  /** refusals that pass (no answer, a busy server): asked again after RESUME_RETRY_MS */
  retryOn: ReadonlySet<ClientErrorCode>;
  /** a refusal for good (the session ended or expired, the password changed): for the person to see */
  onRefused: (error: ClientError) => void;
}

/**
 * After every reconnect of `socket` (a server restart, a network blip), continues the page's staff sign-in
 * by itself: the counter terminal's and the manager dashboard's. A connection that drops again is left to
 * the next connect.
 */
export function useResumeAfterReconnect(socket: Socket | null, options: ResumeOptions): void {
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    if (!socket) return;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const tryResume = () => {
      retry = null;
      if (!socket.connected) return;
      void latest.current.resume().then((error) => {
        if (!error || error.code === 'OFFLINE') return;
        if (latest.current.retryOn.has(error.code)) {
          if (socket.connected && retry === null) retry = setTimeout(tryResume, RESUME_RETRY_MS);
          return;
        }
        latest.current.onRefused(error);
      });
    };
    const onConnect = () => {
      latest.current.onConnect();
      if (retry !== null) clearTimeout(retry);
      tryResume();
    };
    socket.on('connect', onConnect);
    return () => {
      if (retry !== null) clearTimeout(retry);
      socket.off('connect', onConnect);
    };
  }, [socket]);
}

type CommandMap = KioskClientEvents & CounterClientEvents;
type CommandName = Exclude<keyof CommandMap, typeof SYNC_COMMAND>;
type PayloadOf<K extends CommandName> = CommandMap[K] extends (payload: infer P, ack: AckCallback<infer _R>) => void ? P : never;
type ResultOf<K extends CommandName> = CommandMap[K] extends (payload: infer _P, ack: AckCallback<infer R>) => void ? R : never;
// /manager has commands of the same name as /counter's (staff:sign-in) with other payloads: a map of its own
type ManagerCommandName = Exclude<keyof ManagerClientEvents, typeof SYNC_COMMAND>;
type ManagerPayloadOf<K extends ManagerCommandName> = ManagerClientEvents[K] extends (payload: infer P, ack: AckCallback<infer _R>) => void ? P : never;
type ManagerResultOf<K extends ManagerCommandName> = ManagerClientEvents[K] extends (payload: infer _P, ack: AckCallback<infer R>) => void ? R : never;

/**
 * Sends a command and resolves with its ack. Never queued: when the socket is down the answer is OFFLINE at once,
 * and a command whose ack does not come back in time is reported as TIMEOUT (volatile: it is not sent later).
 */
export function sendCommand<K extends CommandName>(
  socket: Socket | null,
  name: K,
  payload: PayloadOf<K>,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<ClientAck<ResultOf<K>>> {
  return emitCommand(socket, name, payload, timeoutMs);
}

/** sendCommand for the manager dashboard's commands on /manager. */
export function sendManagerCommand<K extends ManagerCommandName>(
  socket: Socket | null,
  name: K,
  payload: ManagerPayloadOf<K>,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<ClientAck<ManagerResultOf<K>>> {
  return emitCommand(socket, name, payload, timeoutMs);
}

function emitCommand<R>(socket: Socket | null, name: string, payload: unknown, timeoutMs: number): Promise<ClientAck<R>> {
  return new Promise((resolve) => {
    if (!socket || !socket.connected) {
      resolve({ ok: false, error: { code: 'OFFLINE', message: 'offline' } });
      return;
    }
    socket.volatile.timeout(timeoutMs).emit(name, payload ?? {}, (err: Error | null, answer: Ack<R>) => {
      if (err) resolve({ ok: false, error: { code: socket.connected ? 'TIMEOUT' : 'OFFLINE', message: err.message } });
      else resolve(answer);
    });
  });
}
