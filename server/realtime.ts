// Socket.IO: one namespace per device kind, token auth, validated commands, seq-numbered broadcasts.
import type { Server as HttpServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Server, type DefaultEventsMap, type Namespace, type Socket } from 'socket.io';
import type { z } from 'zod';
import { hallError, type HallError } from '../shared/errors.ts';
import { serviceLevels } from '../shared/catalogue.ts';
import { businessDateOf } from '../shared/hall-time.ts';
import {
  COUNTER_COMMANDS,
  HandshakeAuth,
  KIOSK_COMMANDS,
  MANAGER_COMMANDS,
  NAMESPACES,
  PROTOCOL_VERSION,
  SYNC_COMMAND,
  type Ack,
  type AssistRequestView,
  type CallView,
  type ConnectErrorData,
  type CounterCommandResult,
  type CounterServicesResult,
  type DeviceKind,
  type HallSnapshot,
  type HallUpdate,
  type IssueTicketPayload,
  type IssueTicketResult,
  type IssuingResult,
  type ManagerSignInResult,
  type ReleaseCounterResult,
  type ServerToClientEvents,
  type SignInResult,
  type SignOutResult,
  type StaffView,
} from '../shared/protocol.ts';
import { serviceAvailability, type Command } from './engine/engine.ts';
import { prepareMessage, tryWrite, type PreparedMessage } from './fast-broadcast.ts';
import type { CommandOutcome, Hall, HallChange } from './hall.ts';
import type { Logger } from './log.ts';
import type { ConnectionLimits, RateLimiter, SignInGuard } from './limits.ts';
import { newId, verifyPassword } from './security.ts';
import type { ClerkSessionRecord, DeviceRecord, StaffRecord } from './store/hall-store.ts';
import { counterPublicView, counterView, issuedTicketView, serviceViews, snapshotOf, ticketDetail } from './views.ts';

export const MAX_MESSAGE_BYTES = 64 * 1024;

interface SocketData {
  device: DeviceRecord;
  staffId: string | null;
  /** when this socket's clerk signed in (the session expires staffSessionHours later) */
  signedInAt: number;
  /**
   * the seq of the last snapshot a listening socket got (on connect or hall:sync): the waves send it
   * nothing up to that seq, and an update that starts earlier only from the seq after it
   */
  snapshotSeq: number;
  /** the session this connection holds, with staffId: a clerk's (ClerkSessionRecord.id) or a manager's */
  sessionId: string | null;
  /** this connection's session expired and it has not been told by a refused command yet */
  sessionExpired: boolean;
}

// Inbound events are validated by hand (zod), so their map stays loose; outbound ones are typed.
type HallSocket = Socket<DefaultEventsMap, ServerToClientEvents, DefaultEventsMap, SocketData>;
type HallNamespace = Namespace<DefaultEventsMap, ServerToClientEvents, DefaultEventsMap, SocketData>;

class ConnectRefusal extends Error {
  readonly data: ConnectErrorData;
  constructor(code: ConnectErrorData['code'], message?: string) {
    const e = hallError(code, message);
    super(e.message);
    this.data = { code, message: e.message };
  }
}

const counterRoom = (counterId: string) => `counter:${counterId}`;

/** Listening sockets (all but counter terminals) are spread over this many rooms for broadcasting. */
export const SHARDS = 32;
/**
 * The sender writes shards until this much time has passed in one event-loop turn, then yields, so a
 * command's acknowledgement never waits behind more than about this long of broadcasting.
 */
const TURN_BUDGET_MS = 4;
/**
 * the same while a call is being written: its fan-out is what the hall waits for (with direct frame
 * writes a call to 1,600 displays takes 4–5 such turns; 10 ms turns were needed before them)
 */
const CALL_TURN_BUDGET_MS = 5;
/** a namespace with at most this many sockets gets each message in one turn instead of shard by shard */
const WHOLE_NAMESPACE_SOCKETS = 200;
/** a counter terminal gets a queue-only view update at most this often */
export const VIEW_INTERVAL_MS = 500;
/** counter views computed in one turn, at most this long (ms) */
const VIEW_BUDGET_MS = 2;
const shardRoom = (shard: number) => `shard:${shard}`;
/**
 * Displays, kiosks, evaluators and managers get at most one hall:update per this many ms (a call goes
 * out at once): a screen cannot show more, and each update is one socket write per screen.
 */
export const LISTENER_UPDATE_MS = 250;

export interface RealtimeOptions {
  /** see LISTENER_UPDATE_MS; 0 sends every batch at once */
  listenerUpdateMs?: number;
  /** see REVOCATION_CHECK_MS */
  revocationCheckMs?: number;
}

export interface Realtime {
  io: Server;
  /** disconnects every socket of a device at once (after it was revoked) */
  disconnectDevice(deviceId: string): number;
  close(): Promise<void>;
}

export const REVOCATION_CHECK_MS = 2_000;
/** a kiosk that connects is told of its request for help taken this recently (it may have been offline then) */
export const ASSIST_HANDLED_REPLAY_MS = 2 * 60_000;
/** manager sign-ins one device may hold at once (dashboards in several tabs or windows) */
const MANAGER_SESSIONS_PER_DEVICE = 8;
const DAY_MS = 86_400_000;

const TOO_MANY_CONNECTIONS = '此设备的连接过多或过于频繁，请稍后再试';

export function attachRealtime(
  httpServer: HttpServer,
  hall: Hall,
  log: Logger,
  limits: { rateLimiter: RateLimiter; signInGuard: SignInGuard; connections: ConnectionLimits },
  options: RealtimeOptions = {},
): Realtime {
  const io = new Server(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    cors: { origin: true },
    pingInterval: 10_000,
    pingTimeout: 8_000,
  });

  // The main namespace serves no device: a connection there would be an unauthenticated socket kept
  // alive by pings.
  io.of('/').use((_socket, next) => next(new ConnectRefusal('FORBIDDEN')));

  const namespaces = new Map<DeviceKind, HallNamespace>();
  for (const kind of Object.keys(NAMESPACES) as DeviceKind[]) {
    const nsp = io.of(NAMESPACES[kind]) as unknown as HallNamespace;
    namespaces.set(kind, nsp);
    nsp.use((socket, next) => {
      const auth = HandshakeAuth.safeParse(socket.handshake.auth);
      if (!auth.success) return next(new ConnectRefusal('UNAUTHORIZED'));
      if (auth.data.protocolVersion !== undefined && auth.data.protocolVersion !== PROTOCOL_VERSION) {
        return next(new ConnectRefusal('PROTOCOL_MISMATCH'));
      }
      const device = hall.store.deviceByToken(auth.data.token);
      if (!device || device.revokedAt !== null) return next(new ConnectRefusal('UNAUTHORIZED'));
      if (device.kind !== kind) return next(new ConnectRefusal('FORBIDDEN'));
      // a transport that closed before this ran (a long-polling POST can carry the CONNECT and the close
      // together) would never give its place back
      if (socket.conn.readyState !== 'open') return next(new Error('transport closed'));
      if (!limits.connections.admit(device.id)) {
        warnThrottled(device.id, { device: device.id, open: limits.connections.openCount(device.id) }, 'connection refused: too many connections or connects for this device');
        return next(new ConnectRefusal('RATE_LIMITED', TOO_MANY_CONNECTIONS));
      }
      socket.data.device = device;
      socket.data.staffId = null;
      socket.data.signedInAt = 0;
      socket.data.snapshotSeq = -1;
      socket.data.sessionId = null;
      socket.data.sessionExpired = false;
      // the place is taken now, so connections arriving together cannot pass the cap; it is given back
      // when the connection ends, or when the transport closes before the connection was made
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        forget();
        limits.connections.closed(device.id);
      };
      const forget = onTransportClose(socket.conn, release);
      socket.once('disconnect', release);
      next();
    });
    nsp.on('connection', (socket) => onConnection(kind, socket));
  }

  let connectionCount = 0;

  /**
   * Runs `callback` when the transport connection closes; one listener per transport however many
   * namespace connections it carries. Returns a function that cancels it.
   */
  const transportCloseCallbacks = new WeakMap<HallSocket['conn'], Set<() => void>>();
  function onTransportClose(conn: HallSocket['conn'], callback: () => void): () => void {
    let callbacks = transportCloseCallbacks.get(conn);
    if (!callbacks) {
      const set = new Set<() => void>();
      callbacks = set;
      transportCloseCallbacks.set(conn, set);
      conn.once('close', () => {
        for (const run of [...set]) run();
        set.clear();
      });
    }
    const own = callbacks;
    own.add(callback);
    return () => own.delete(callback);
  }

  /** One warning per device a minute: a client refused in a loop must not flood the log. */
  const warnedAt = new Map<string, number>();
  function warnThrottled(deviceId: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    if (now - (warnedAt.get(deviceId) ?? -Infinity) < 60_000) return;
    if (warnedAt.size > 1_000) warnedAt.clear();
    warnedAt.set(deviceId, now);
    log.warn(fields, message);
  }

  /** The socket's snapshot, now; its seq is remembered (SocketData.snapshotSeq) for the waves. */
  function snapshotFor(socket: HallSocket): HallSnapshot {
    const now = hall.now();
    const device = socket.data.device;
    const counterId = device.kind === 'counter' ? device.counterId : null;
    const snapshot = snapshotOf(hall.state, {
      now,
      staff: hall.staff,
      recentCalls: hall.recentCalls,
      area: device.kind === 'display' ? device.area : null,
      counterId,
      counter: counterId && hall.state.counters.has(counterId) && signedInHere(socket) ? counterView(hall.state, counterId, hall.staff, hall.figures, now) : null,
    });
    socket.data.snapshotSeq = snapshot.seq;
    return snapshot;
  }

  /**
   * Whether a clerk is signed in on this connection: its sign-in still holds the counter (no sign-out,
   * no sign-in elsewhere, no close of the day since) and has not expired. Only such a connection sees
   * the counter's own view (the visitor in hand, masked ID included, and the queue): a terminal left
   * signed out sees what the hall displays show.
   */
  function signedInHere(socket: HallSocket): boolean {
    const { staffId, device, sessionId } = socket.data;
    if (staffId === null || !device.counterId) return false;
    if (hall.state.counterStates.get(device.counterId)?.staffId !== staffId) return false;
    if (sessions.get(device.counterId)?.id !== sessionId) return false;
    return !sessionTooOld(socket);
  }

  /**
   * The clerk session of each counter (one at most; a new sign-in there or by the clerk elsewhere ends
   * it), kept in memory and in the database, so that after a restart only the terminal holding it may
   * resume it, its expiry still counting from the sign-in. Loaded only where the clerk still holds the
   * counter on the same business day (the close of a day at start-up signs everyone out).
   */
  const sessions = new Map<string, ClerkSessionRecord>();
  const sameBusinessDay = (a: number, b: number) => businessDateOf(a, hall.state.settings.timeZone) === businessDateOf(b, hall.state.settings.timeZone);
  /** a session started at `startedAt` is past staffSessionHours */
  const expiredSince = (startedAt: number) => hall.now() - startedAt > hall.state.settings.staffSessionHours * 3_600_000;
  try {
    for (const session of hall.store.clerkSessions()) {
      const holds = hall.state.counterStates.get(session.counterId)?.staffId === session.staffId;
      // an expired one is kept too (its counter signed out by the expiry): its terminal is told it expired
      if ((holds || expiredSince(session.startedAt)) && sameBusinessDay(session.startedAt, hall.now())) sessions.set(session.counterId, session);
      else hall.store.deleteClerkSession(session.counterId);
    }
  } catch (err) {
    log.error({ err }, 'clerk sessions could not be read: every terminal signs in again');
  }
  function keepSession(session: ClerkSessionRecord): void {
    sessions.set(session.counterId, session);
    try {
      hall.store.saveClerkSession(session);
    } catch (err) {
      // the session holds; only a resume after a restart will be refused
      log.error({ err, counter: session.counterId }, 'clerk session could not be saved');
    }
  }
  function forgetSession(counterId: string): void {
    if (!sessions.delete(counterId)) return;
    try {
      hall.store.deleteClerkSession(counterId);
    } catch (err) {
      log.error({ err, counter: counterId }, 'ended clerk session could not be removed from the database');
    }
  }
  // A counter held by a clerk with no session on record (its record could not be written or read, or a
  // database from before sessions were kept) still gets one, from the clerk's last sign-in there, so
  // that it expires like any other (from the last sign-in the trail records: a sign-in again by the
  // clerk holding the counter changes nothing there and records none, so it may count from earlier). No
  // terminal knows its id: the clerk signs in again to go on.
  for (const [counterId, cs] of hall.state.counterStates) {
    if (cs.staffId === null || sessions.has(counterId)) continue;
    let startedAt: number;
    try {
      startedAt = hall.store.lastSignIn(counterId, cs.staffId) ?? hall.now();
    } catch (err) {
      log.error({ err, counter: counterId }, 'the sign-in of a counter without a session could not be read: its session counts from now');
      startedAt = hall.now();
    }
    keepSession({ counterId, id: newId(), staffId: cs.staffId, startedAt });
  }
  /** connections whose session ended, owed a snapshot once the sender has sent what came before it */
  const snapshotsDue = new Set<HallSocket>();

  const sessionTooOld = (socket: HallSocket) => expiredSince(socket.data.signedInAt);

  /**
   * A revoked device acts no more, from the moment it is revoked (by the CLI in another process too):
   * every command looks the device up (one indexed read), answers UNAUTHORIZED and disconnects it.
   * The periodic check below disconnects the revoked devices that stay silent.
   */
  function refusedAsRevoked(socket: HallSocket, ack: (a: Ack<never>) => void): boolean {
    let revoked: boolean;
    try {
      revoked = hall.store.deviceRevoked(socket.data.device.id);
    } catch (err) {
      // the database cannot be read: nothing could be written either
      log.error({ err, device: socket.data.device.id }, 'revocation look-up failed');
      ack({ ok: false, error: hallError('STORE_UNAVAILABLE') });
      return true;
    }
    if (!revoked) return false;
    ack({ ok: false, error: hallError('UNAUTHORIZED') });
    socket.disconnect(true);
    return true;
  }

  /** Registers a command handler: validates the payload, always answers the ack, never throws. */
  function command<S extends z.ZodType, R>(
    socket: HallSocket,
    name: string,
    schema: S,
    handler: (payload: z.infer<S>) => Ack<R> | Promise<Ack<R>>,
  ): void {
    socket.on(name, (...args: unknown[]) => {
      const received = performance.now();
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (a: Ack<R>) => void) : () => {};
      if (!limits.rateLimiter.take(socket.data.device.id)) {
        ack({ ok: false, error: hallError('RATE_LIMITED') });
        return;
      }
      if (refusedAsRevoked(socket, ack)) return;
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success || args.length > 1) {
        ack({ ok: false, error: hallError('VALIDATION_FAILED', `${hallError('VALIDATION_FAILED').message}: ${parsed.error?.issues[0]?.message ?? 'too many arguments'}`) });
        return;
      }
      const answer = (a: Ack<R>) => {
        ack(a);
        hall.commandTimes.record(name, performance.now() - received);
        hall.trace?.command(name, socket.data.device.id, received);
      };
      Promise.resolve()
        .then(() => handler(parsed.data))
        .then(answer, (err: unknown) => {
          log.error({ err, command: name, device: socket.data.device.id }, 'command handler failed');
          answer({ ok: false, error: hallError('INTERNAL') });
        });
    });
  }

  function onConnection(kind: DeviceKind, socket: HallSocket): void {
    const device = socket.data.device;
    log.debug({ device: device.id, kind }, 'device connected');
    if (device.kind === 'counter' && device.counterId) void socket.join(counterRoom(device.counterId));
    if (kind !== 'counter') void socket.join(shardRoom(connectionCount++ % SHARDS));

    socket.on(SYNC_COMMAND, (...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') return;
      const answer = ack as (a: Ack<HallSnapshot>) => void;
      if (!limits.rateLimiter.take(device.id)) return answer({ ok: false, error: hallError('RATE_LIMITED') });
      if (refusedAsRevoked(socket, answer)) return;
      answer({ ok: true, data: freshSnapshot(kind, socket, false) });
    });
    // Unknown events with an ack get a typed answer instead of silence.
    const owned = kind === 'kiosk' ? KIOSK_COMMANDS : kind === 'counter' ? COUNTER_COMMANDS : kind === 'manager' ? MANAGER_COMMANDS : {};
    const known = new Set<string>([SYNC_COMMAND, ...Object.keys(owned)]);
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && known.has(event)) return;
      const ack = args[args.length - 1];
      if (typeof ack !== 'function') return;
      const answer = ack as (a: Ack<never>) => void;
      // answered, but from the same budget as everything else the device sends
      if (!limits.rateLimiter.take(device.id)) return answer({ ok: false, error: hallError('RATE_LIMITED') });
      answer({ ok: false, error: hallError('FORBIDDEN', `此设备不能执行 ${String(event).slice(0, 40)}`) });
    });

    if (kind === 'kiosk') registerKiosk(socket);
    if (kind === 'counter') registerCounter(socket);
    if (kind === 'manager') registerManager(socket);
    socket.emit('hall:snapshot', freshSnapshot(kind, socket, true));
    if (kind === 'kiosk') {
      // a kiosk that was offline when a manager took its request hears it now, while the visitor may still be there
      const taken = hall.assists.takenSince(device.id, hall.now() - ASSIST_HANDLED_REPLAY_MS);
      if (taken) tellKioskTaken(socket, taken);
    }
    if (kind === 'manager') {
      // a dashboard that connects (or reconnects) learns today's requests for help (of today: the day
      // turns over first if due, and the turn's snapshot and list follow), and each device's latest
      // report since the server started
      hall.rollOver();
      socket.emit('hall:assists', hall.assists.list());
      for (const view of hall.deviceHealth.values()) socket.emit('device:health', view);
    }
  }

  /**
   * A snapshot that nothing older may follow. A listening socket that has just connected (a thousand
   * of them may at once after a Wi-Fi blip) costs nobody else anything: the waves skip what its
   * snapshot already holds (SocketData.snapshotSeq). Otherwise everything queued, held or half-sent
   * goes out first (to the others only, for a counter terminal that has just connected): a hall:sync
   * answer promises that every message before it has been sent (docs/protocol.md).
   */
  function freshSnapshot(kind: DeviceKind, socket: HallSocket, connecting: boolean): HallSnapshot {
    if (!connecting) flush();
    else if (kind === 'counter') flush(socket.id);
    return snapshotFor(socket);
  }

  function registerKiosk(socket: HallSocket): void {
    command(socket, 'ticket:issue', KIOSK_COMMANDS['ticket:issue'], (p) => issueTicket(hall, p, socket.data.device));
    command(socket, 'kiosk:assist', KIOSK_COMMANDS['kiosk:assist'].optional(), (p): Ack<{ requestId: string }> => {
      const device = socket.data.device;
      // a request belongs to the business day it is made on: none while yesterday could not be closed
      if (!hall.openForToday()) return { ok: false, error: hallError('STORE_UNAVAILABLE') };
      const outcome = hall.assists.request(device, p?.reason ?? null, hall.now());
      if (!outcome.ok) return outcome;
      const { request } = outcome;
      log.info({ device: device.id, request: request.id, times: request.times }, 'assistance requested');
      namespaces.get('manager')!.emit('hall:assist', request);
      return { ok: true, data: { requestId: request.id } };
    });
  }

  /**
   * Ends the clerk sessions that no longer hold (signedInHere): a sign-in at the counter on another
   * connection, the clerk's sign-in at another counter, a sign-out, expiry, the close of the day. Each
   * such connection is told why (`staff:session-ended`) and gets a fresh snapshot without the counter's
   * own view (after the messages before it: see step), so its terminal shows the sign-in form at once
   * instead of a visitor it may no longer see. `snapshot: false` when the caller sends one anyway.
   */
  function endLostSessions(snapshot = true): void {
    const nsp = namespaces.get('counter')!;
    let owed = false;
    for (const socket of nsp.sockets.values()) {
      if (socket.data.staffId === null || signedInHere(socket)) continue;
      const expired = sessionTooOld(socket);
      socket.data.staffId = null;
      socket.data.sessionId = null;
      socket.data.sessionExpired = expired;
      socket.emit('staff:session-ended', { reason: expired ? 'expired' : 'ended' });
      if (snapshot) {
        snapshotsDue.add(socket);
        owed = true;
      }
    }
    if (owed) scheduleStep();
  }

  /**
   * A counter whose clerk session has passed staffSessionHours is signed out when no visitor is with the
   * clerk there (idle or paused): the hall's screens stop showing an open counter nobody works at, and
   * wait estimates stop counting it. With a visitor called or being served, the counter keeps the clerk
   * and the ticket: the clerk signs in again and carries on. The session's record stays, so a terminal
   * that was away meanwhile is told its session expired (not that someone else ended it).
   */
  function signOutExpired(): void {
    for (const [counterId, session] of sessions) {
      if (!expiredSince(session.startedAt)) continue;
      const cs = hall.state.counterStates.get(counterId);
      if (cs?.staffId !== session.staffId || cs.currentTicketId !== null) continue;
      const outcome = hall.execute({ type: 'sign-out', counterId }, { deviceId: null, staffId: session.staffId });
      if (outcome.ok) log.info({ counter: counterId }, 'clerk session expired: counter signed out');
      else log.warn({ counter: counterId, code: outcome.error.code }, 'expired clerk session: signing the counter out failed; tried again at the next check');
    }
  }

  /** Sends the snapshots owed to connections whose session ended. */
  function sendDueSnapshots(): void {
    for (const socket of snapshotsDue) if (socket.connected) socket.emit('hall:snapshot', snapshotFor(socket));
    snapshotsDue.clear();
  }

  /** A sign-in's login and password, through the lockout (limits.ts SignInGuard). */
  async function checkPassword(device: DeviceRecord, login: string, password: string): Promise<{ ok: true; staff: StaffRecord } | { ok: false; error: HallError }> {
    const staff = hall.store.staffByLoginName(login);
    const attempt = await limits.signInGuard.attempt(device.id, login, async () => {
      const passwordOk = await verifyPassword(password, staff ? staff.passwordHash : DUMMY_HASH);
      return staff !== null && staff.active && passwordOk;
    });
    if (attempt === 'locked') {
      log.warn({ device: device.id }, 'sign-in refused: login locked');
      return { ok: false, error: hallError('SIGN_IN_LOCKED') };
    }
    if (attempt === 'failed' || !staff) {
      log.warn({ device: device.id }, 'sign-in refused');
      return { ok: false, error: hallError('SIGN_IN_FAILED') };
    }
    return { ok: true, staff };
  }

  const staffView = (staff: StaffRecord): StaffView => ({ id: staff.id, name: staff.name, login: staff.login, staffNo: staff.staffNo, role: staff.role });

  function registerCounter(socket: HallSocket): void {
    const device = socket.data.device;
    const counterId = device.counterId;
    const resultFor = (ticketId: string | null): CounterCommandResult => {
      const now = hall.now();
      const t = ticketId ? hall.state.tickets.get(ticketId) : undefined;
      return {
        view: counterView(hall.state, counterId!, hall.staff, hall.figures, now),
        ticket: t ? ticketDetail(t, now) : null,
      };
    };
    /** Runs a command for the clerk signed in here: the ticket it acted on, or the refusal. */
    const execute = (cmd: Command): { ok: true; ticketId: string | null; staffId: string } | { ok: false; error: HallError } => {
      if (!counterId || !hall.state.counters.has(counterId)) return { ok: false, error: hallError('COUNTER_NOT_FOUND') };
      if (socket.data.staffId !== null && !signedInHere(socket)) endLostSessions();
      // the first command after an expiry says so (whether or not the periodic check ended it first)
      if (socket.data.sessionExpired) {
        socket.data.sessionExpired = false;
        return { ok: false, error: hallError('SESSION_EXPIRED') };
      }
      const staffId = socket.data.staffId;
      if (staffId === null) return { ok: false, error: hallError('NOT_SIGNED_IN') };
      const outcome = hall.execute(cmd, { deviceId: device.id, staffId });
      if (!outcome.ok) return outcome;
      return { ok: true, ticketId: outcome.ticketId, staffId };
    };
    const run = (cmd: Command): Ack<CounterCommandResult> => {
      const done = execute(cmd);
      return done.ok ? { ok: true, data: resultFor(done.ticketId) } : done;
    };
    const C = COUNTER_COMMANDS;

    command(socket, 'staff:sign-in', C['staff:sign-in'], async (p): Promise<Ack<SignInResult>> => {
      if (!counterId || !hall.state.counters.has(counterId)) return { ok: false, error: hallError('COUNTER_NOT_FOUND') };
      const checked = await checkPassword(device, p.login, p.password);
      if (!checked.ok) return checked;
      const staff = checked.staff;
      // A terminal signing in again by itself after a reconnect continues its own session, and only
      // that: not one a sign-in or sign-out elsewhere, the close of the day or expiry ended meanwhile.
      const current = sessions.get(counterId);
      if (p.resume !== undefined) {
        if (current?.id !== p.resume || current.staffId !== staff.id) return { ok: false, error: hallError('SESSION_ENDED') };
        // expired (and the counter signed out by it, when nobody was with the clerk)
        if (expiredSince(current.startedAt)) return { ok: false, error: hallError('SESSION_EXPIRED') };
        if (hall.state.counterStates.get(counterId)?.staffId !== staff.id) return { ok: false, error: hallError('SESSION_ENDED') };
      }
      hall.forgetStaff(staff.id);
      const seqBefore = hall.state.seq;
      const outcome = hall.execute({ type: 'sign-in', counterId, staffId: staff.id }, { deviceId: device.id, staffId: staff.id });
      if (!outcome.ok) return outcome;
      let session: ClerkSessionRecord;
      if (p.resume !== undefined && current) {
        session = current; // the same session goes on: same id, same start
      } else {
        session = { counterId, id: newId(), staffId: staff.id, startedAt: hall.now() };
        for (const [otherCounter, other] of sessions) if (other.staffId === staff.id) forgetSession(otherCounter);
        keepSession(session);
      }
      socket.data.staffId = staff.id;
      socket.data.sessionId = session.id;
      socket.data.signedInAt = session.startedAt;
      socket.data.sessionExpired = false;
      endLostSessions();
      const view = resultFor(null).view;
      // A sign-in that changed nothing at the counter sends no counter:view of its own: this one
      // brings the view to the connection that may now see it.
      if (outcome.seq === seqBefore) socket.emit('counter:view', { seq: Math.max(lastBatchSeq, socket.data.snapshotSeq), view });
      return {
        ok: true,
        data: {
          staff: staffView(staff),
          view,
          sessionId: session.id,
        },
      };
    });
    command(socket, 'staff:sign-out', C['staff:sign-out'], (): Ack<SignOutResult> => {
      const done = execute({ type: 'sign-out', counterId: counterId! });
      if (!done.ok) return done;
      forgetSession(counterId!);
      socket.data.staffId = null;
      socket.data.sessionId = null;
      endLostSessions();
      // no view: this connection no longer holds the counter's session
      return { ok: true, data: { staffId: done.staffId } };
    });
    command(socket, 'counter:call-next', C['counter:call-next'], () => run({ type: 'call-next', counterId: counterId! }));
    command(socket, 'counter:call', C['counter:call'], (p) => run({ type: 'call', counterId: counterId!, ticketId: p.ticketId }));
    command(socket, 'counter:recall', C['counter:recall'], () => run({ type: 'recall', counterId: counterId! }));
    command(socket, 'counter:start', C['counter:start'], () => run({ type: 'start', counterId: counterId! }));
    command(socket, 'counter:complete', C['counter:complete'], (p) => run({ type: 'complete', counterId: counterId!, outcome: p.outcome }));
    command(socket, 'counter:no-show', C['counter:no-show'], () => run({ type: 'no-show', counterId: counterId! }));
    command(socket, 'counter:transfer', C['counter:transfer'], (p) =>
      run({
        type: 'transfer',
        counterId: counterId!,
        toServiceId: 'serviceId' in p ? p.serviceId : null,
        toCounterId: 'counterId' in p ? p.counterId : null,
      }),
    );
    command(socket, 'counter:suspend', C['counter:suspend'], (p) =>
      run({ type: 'suspend', counterId: counterId!, returnTo: p?.returnTo ?? 'this_counter' }),
    );
    command(socket, 'counter:resume', C['counter:resume'], (p) => run({ type: 'resume', counterId: counterId!, ticketId: p.ticketId }));
    command(socket, 'counter:reactivate', C['counter:reactivate'], (p) =>
      run({ type: 'reactivate', counterId: counterId!, ticketId: p.ticketId }),
    );
    command(socket, 'counter:pause', C['counter:pause'], (p) => run({ type: 'pause', counterId: counterId!, reason: p.reason }));
    command(socket, 'counter:unpause', C['counter:unpause'], () => run({ type: 'unpause', counterId: counterId! }));
  }

  /**
   * Managers' sign-ins on the dashboard, by session id. In memory only: a restart ends them and the
   * dashboard asks for the password again. A dashboard that reconnects continues its own (`resume`), its
   * expiry still counting from the sign-in; at most MANAGER_SESSIONS_PER_DEVICE per device (the oldest
   * give way), so a device signing in again and again holds no more. An expired one is kept for a day,
   * so that its dashboard is told it expired (SESSION_EXPIRED), not that it ended.
   */
  const managerSessions = new Map<string, { id: string; deviceId: string; staffId: string; startedAt: number }>();
  function openManagerSession(deviceId: string, staffId: string): string {
    for (const [id, session] of managerSessions) if (expiredSince(session.startedAt + DAY_MS)) managerSessions.delete(id);
    const own = [...managerSessions.values()].filter((session) => session.deviceId === deviceId);
    for (const old of own.slice(0, Math.max(0, own.length - MANAGER_SESSIONS_PER_DEVICE + 1))) managerSessions.delete(old.id);
    const session = { id: newId(), deviceId, staffId, startedAt: hall.now() };
    managerSessions.set(session.id, session);
    return session.id;
  }

  /** Tells a kiosk's connection that a hall manager took its request for help (its visitor is told who is coming). */
  function tellKioskTaken(socket: HallSocket, request: AssistRequestView): void {
    socket.emit('kiosk:assist-handled', { requestId: request.id, staffName: request.handled!.staffName });
  }

  /**
   * The manager dashboard: a hall manager (role manager or admin) signs in with their own account, for
   * staffSessionHours at most, and may then release a counter, take a request for help, and pause or
   * resume issuing for a service (docs/protocol.md).
   */
  function registerManager(socket: HallSocket): void {
    const device = socket.data.device;
    const M = MANAGER_COMMANDS;
    const forget = () => {
      socket.data.staffId = null;
      socket.data.sessionId = null;
    };
    /** the manager signed in here, or why not */
    const signedIn = (): { ok: true; staffId: string } | { ok: false; error: HallError } => {
      const staffId = socket.data.staffId;
      const session = socket.data.sessionId === null ? undefined : managerSessions.get(socket.data.sessionId);
      if (staffId === null || !session) {
        forget();
        return { ok: false, error: hallError('NOT_SIGNED_IN') };
      }
      if (expiredSince(session.startedAt)) {
        forget();
        return { ok: false, error: hallError('SESSION_EXPIRED') };
      }
      return { ok: true, staffId };
    };

    command(socket, 'staff:sign-in', M['staff:sign-in'], async (p): Promise<Ack<ManagerSignInResult>> => {
      const checked = await checkPassword(device, p.login, p.password);
      if (!checked.ok) return checked;
      const staff = checked.staff;
      if (staff.role !== 'manager' && staff.role !== 'admin') {
        log.warn({ device: device.id }, 'sign-in refused on /manager: not a manager');
        return { ok: false, error: hallError('NOT_A_MANAGER') };
      }
      let sessionId: string;
      if (p.resume !== undefined) {
        // a dashboard signing in again by itself after a reconnect: its own session, if it still holds
        const session = managerSessions.get(p.resume);
        if (!session || session.deviceId !== device.id || session.staffId !== staff.id) return { ok: false, error: hallError('SESSION_ENDED') };
        if (expiredSince(session.startedAt)) return { ok: false, error: hallError('SESSION_EXPIRED') };
        sessionId = session.id;
      } else {
        // a sign-in by hand on a connection already signed in replaces that sign-in
        if (socket.data.sessionId !== null) managerSessions.delete(socket.data.sessionId);
        sessionId = openManagerSession(device.id, staff.id);
        log.info({ device: device.id, staff: staff.id }, 'manager signed in');
      }
      socket.data.staffId = staff.id;
      socket.data.sessionId = sessionId;
      return { ok: true, data: { staff: staffView(staff), sessionId } };
    });
    command(socket, 'staff:sign-out', M['staff:sign-out'], (): Ack<SignOutResult> => {
      const manager = signedIn();
      if (!manager.ok) return manager;
      managerSessions.delete(socket.data.sessionId!);
      forget();
      return { ok: true, data: { staffId: manager.staffId } };
    });
    /** An engine command by the manager signed in here (the audit trail's actor); refused without one. */
    const executeAsManager = (cmd: Command): (Extract<CommandOutcome, { ok: true }> & { staffId: string }) | { ok: false; error: HallError } => {
      const manager = signedIn();
      if (!manager.ok) return manager;
      const outcome = hall.execute(cmd, { deviceId: device.id, staffId: manager.staffId });
      return outcome.ok ? { ...outcome, staffId: manager.staffId } : outcome;
    };
    command(socket, 'counter:release', M['counter:release'], (p): Ack<ReleaseCounterResult> => {
      const clerkId = hall.state.counterStates.get(p.counterId)?.staffId ?? null;
      const toCounterId = p.toCounterId ?? null;
      const outcome = executeAsManager({ type: 'release', counterId: p.counterId, toCounterId, expectedTicketId: p.expectedTicketId });
      if (!outcome.ok) return outcome;
      // the engine refuses a counter nobody is signed in at, so there was a clerk
      forgetSession(p.counterId);
      endLostSessions();
      const t = outcome.ticketId ? hall.state.tickets.get(outcome.ticketId) : undefined;
      log.info({ device: device.id, staff: outcome.staffId, counter: p.counterId, ticket: t?.id ?? null }, 'counter released by a manager');
      return {
        ok: true,
        data: {
          counterId: p.counterId,
          staffId: clerkId!,
          ticket: t ? { id: t.id, number: t.number, to: toCounterId === null ? 'queue' : { counterId: toCounterId } } : null,
        },
      };
    });
    /** stops or restarts the kiosks issuing for a service; the kiosks and screens hear it in the next hall:update */
    const setIssuing = (cmd: Extract<Command, { type: 'pause-issuing' | 'resume-issuing' }>): Ack<IssuingResult> => {
      const outcome = executeAsManager(cmd);
      if (!outcome.ok) return outcome;
      log.info({ device: device.id, staff: outcome.staffId, service: cmd.serviceId }, cmd.type === 'pause-issuing' ? 'issuing paused by a manager' : 'issuing resumed by a manager');
      return { ok: true, data: { serviceId: cmd.serviceId, availability: serviceAvailability(hall.state, hall.state.services.get(cmd.serviceId)!, hall.now()) } };
    };
    command(socket, 'service:pause-issuing', M['service:pause-issuing'], (p) => setIssuing({ type: 'pause-issuing', serviceId: p.serviceId, reason: p.reason }));
    command(socket, 'service:resume-issuing', M['service:resume-issuing'], (p) => setIssuing({ type: 'resume-issuing', serviceId: p.serviceId }));
    /** 潮汐窗口: what a counter calls for, changed for today or given back the catalogue's; every screen hears it in the next hall:update, the counter's terminal at once */
    const setServices = (cmd: Extract<Command, { type: 'set-services' | 'reset-services' }>): Ack<CounterServicesResult> => {
      const seqBefore = hall.state.seq;
      const outcome = executeAsManager(cmd);
      if (!outcome.ok) return outcome;
      const counter = hall.state.counters.get(cmd.counterId)!;
      // (the catalogue's list given by hand is a reset too; a change to what the counter does already commits nothing and is not logged)
      if (outcome.seq !== seqBefore) log.info({ device: device.id, staff: outcome.staffId, counter: counter.id, services: counter.services }, counter.servicesSetAt === null ? 'counter services reset by a manager' : 'counter services changed by a manager');
      return { ok: true, data: { counterId: counter.id, services: serviceLevels(counter.services), servicesSetAt: counter.servicesSetAt } };
    };
    command(socket, 'counter:set-services', M['counter:set-services'], (p) => setServices({ type: 'set-services', counterId: p.counterId, services: p.services, expectedSetAt: p.expectedSetAt }));
    command(socket, 'counter:reset-services', M['counter:reset-services'], (p) => setServices({ type: 'reset-services', counterId: p.counterId, expectedSetAt: p.expectedSetAt }));
    command(socket, 'assist:handle', M['assist:handle'], (p): Ack<AssistRequestView> => {
      const manager = signedIn();
      if (!manager.ok) return manager;
      // yesterday's requests are no longer anyone's to take; none is while yesterday could not be closed
      if (!hall.openForToday()) return { ok: false, error: hallError('STORE_UNAVAILABLE') };
      const outcome = hall.assists.handle(p.requestId, manager.staffId, hall.now());
      if (!outcome.ok) return outcome;
      const { request } = outcome;
      if (!outcome.changed) return { ok: true, data: request }; // the manager's own retry: everyone knows already
      log.info({ device: device.id, staff: manager.staffId, request: request.id }, 'assistance request taken');
      namespaces.get('manager')!.emit('hall:assist', request);
      // the kiosk that asked tells the visitor someone is coming
      for (const kiosk of socketsOf(request.deviceId, ['kiosk'])) tellKioskTaken(kiosk, request);
      return { ok: true, data: request };
    });
  }

  // Broadcasts go out after the command's acknowledgement. A commit queues its change; the sender takes
  // the queued changes on its next turn. Counter terminals are few: they get their messages
  // (hall:called, hall:update, counter:view) at once, in order, one update per commit. The listening
  // namespaces (displays, kiosks, evaluators, managers) can hold thousands of sockets, spread over
  // SHARDS rooms; their messages go out in waves, shard by shard, yielding to the event loop every
  // TURN_BUDGET_MS, so acknowledgements and HTTP answers never wait long behind writes to displays.
  //  - hall:update: one merged update covering commits fromSeq..seq, at most one every
  //    listenerUpdateMs (changes are held and merged in between). Update waves go strictly one after
  //    another, so every socket sees updates in seq order.
  //  - hall:called: a wave of its own that goes ahead of any update wave still being sent, so a call
  //    reaches the displays as fast as the sockets can be written. A call can therefore arrive before
  //    the update that covers its commit (or earlier ones), never after one: clients must not read a
  //    gap into a call's seq (docs/protocol.md).
  // Each message is encoded once, as a WebSocket frame, and written straight to every idle WebSocket
  // connection; the others get it through socket.io (server/fast-broadcast.ts).
  // No client receives a message older than its snapshot after it (connect, hall:sync, day rollover):
  // before a hall:sync answer or a counter terminal's snapshot everything queued, held or half-sent
  // goes out; a listening socket that connects records its snapshot's seq and the waves skip what
  // that snapshot holds, so a reconnect storm does not release every held update (freshSnapshot).
  /** What goes to the listening namespaces in waves. */
  type Broadcast = { event: 'hall:called'; payload: CallView } | { event: 'hall:update'; payload: HallUpdate };
  interface Outgoing {
    nsp: HallNamespace;
    /** a namespace small enough for one turn is written in one go instead of shard by shard */
    whole: boolean;
    /** encoded once, on its first shard with sockets (server/fast-broadcast.ts) */
    message: PreparedMessage | null;
    broadcast: Broadcast;
  }
  /** Sends a broadcast through socket.io: to the sockets the direct write could not take, in one emit. */
  const emitBroadcast = (target: ReturnType<HallNamespace['to']>, b: Broadcast) =>
    b.event === 'hall:called' ? target.emit('hall:called', b.payload) : target.emit('hall:update', b.payload);
  /** the commits a broadcast covers: a call's own, an update's fromSeq..seq */
  const covered = (b: Broadcast): [number, number] => (b.event === 'hall:called' ? [b.payload.seq, b.payload.seq] : [b.payload.fromSeq, b.payload.seq]);
  /** Messages on their way to the listening namespaces, and the next shard to write them to. */
  interface Wave {
    messages: Outgoing[];
    shard: number;
  }
  /** Changes committed but not yet sent to the listening namespaces, merged. */
  interface Held {
    fromSeq: number;
    seq: number;
    counterIds: Set<string>;
  }
  const listenerUpdateMs = options.listenerUpdateMs ?? LISTENER_UPDATE_MS;
  let pending: HallChange[] = [];
  let held: Held | null = null;
  let listenerSentAt = 0;
  let holdTimer: NodeJS.Timeout | null = null;
  const callWaves: Wave[] = [];
  const updateWaves: Wave[] = [];
  let stepScheduled = false;

  function queueBroadcast(change: HallChange): void {
    pending.push(change);
    scheduleStep();
  }

  function scheduleStep(): void {
    if (stepScheduled) return;
    stepScheduled = true;
    setImmediate(step);
  }

  const heldDue = () => held !== null && Date.now() - listenerSentAt >= listenerUpdateMs;

  /** Wakes the sender when held changes are due (timers may fire a little early: step re-arms it). */
  function armHoldTimer(): void {
    if (!held || holdTimer) return;
    holdTimer = setTimeout(() => {
      holdTimer = null;
      scheduleStep();
    }, Math.max(1, listenerSentAt + listenerUpdateMs - Date.now() + 1));
    holdTimer.unref();
  }

  /** The next wave to write: calls before updates. */
  const nextWave = (): Wave | undefined => callWaves[0] ?? updateWaves[0];

  function writeShard(wave: Wave, excluded: string[]): void {
    sendShard(wave.messages, wave.shard, excluded);
    wave.shard += 1;
    if (wave.shard >= SHARDS) (callWaves[0] === wave ? callWaves : updateWaves).shift();
  }

  /**
   * One turn of the sender: takes the queued changes, then writes shards until the turn has lasted
   * about TURN_BUDGET_MS, taking the changes included (they can cost a few ms: the counter terminals'
   * messages and views), and at least one shard, so every wave moves on.
   */
  function step(): void {
    stepScheduled = false;
    const turnStart = performance.now();
    if (pending.length > 0 || heldDue()) takeChanges([], false);
    sendDueSnapshots();
    const takeMs = performance.now() - turnStart;
    for (let wave = nextWave(), first = true; wave; wave = nextWave(), first = false) {
      if (!first && performance.now() - turnStart >= (callWaves.length > 0 ? CALL_TURN_BUDGET_MS : TURN_BUDGET_MS)) break;
      writeShard(wave, []);
    }
    hall.trace?.turn(turnStart, takeMs);
    if (nextWave() || pending.length > 0) scheduleStep();
    armHoldTimer();
  }

  /** Writes every wave to the end, now. */
  function drainWaves(excluded: string[]): void {
    for (let wave = nextWave(); wave; wave = nextWave()) writeShard(wave, excluded);
  }

  /** Sends everything queued, held or half-sent now. `exceptSocketId`: a socket about to receive its snapshot instead. */
  function flush(exceptSocketId?: string): void {
    const excluded = exceptSocketId ? [exceptSocketId] : [];
    if (pending.length > 0 || held) takeChanges(excluded, true);
    drainWaves(excluded);
  }

  function sendShard(messages: Outgoing[], shard: number, excluded: string[]): void {
    const room = shardRoom(shard);
    for (const m of messages) {
      if (m.whole && shard !== 0) continue;
      const ids = m.whole ? m.nsp.sockets.keys() : m.nsp.adapter.rooms.get(room)?.values();
      const b = m.broadcast;
      const [fromSeq, seq] = covered(b);
      // sockets the direct write cannot take get the message in one emit (one encoding), before the
      // next message's writes, so each socket still sees the messages in order
      const viaSocketIo: string[] = [];
      for (const id of ids ?? []) {
        const socket = m.nsp.sockets.get(id);
        if (!socket || (excluded.length > 0 && excluded.includes(id))) continue;
        const snapshotSeq = socket.data.snapshotSeq;
        if (snapshotSeq >= fromSeq) {
          // connected or synced while this was on its way: its snapshot holds all or part of it (an
          // update then goes from the commit after the snapshot; a call, one commit, never does)
          if (snapshotSeq < seq && b.event === 'hall:update') socket.emit('hall:update', { ...b.payload, fromSeq: snapshotSeq + 1 });
          continue;
        }
        m.message ??= prepareMessage(m.nsp.name, b.event, b.payload);
        if (!tryWrite(socket, m.message)) viaSocketIo.push(id);
      }
      if (viaSocketIo.length > 0) emitBroadcast(m.nsp.to(viaSocketIo), b);
    }
  }

  /**
   * Takes every queued change: sends the counter namespace's messages at once, queues a call wave for
   * the calls, and merges the rest into the held update, which becomes an update wave when
   * listenerUpdateMs has passed since the last one (`release`: now). A business-day rollover sends
   * everyone a fresh snapshot instead.
   */
  function takeChanges(excluded: string[], release: boolean): void {
    const changes = pending;
    pending = [];
    const state = hall.state;
    const now = hall.now();

    if (changes.some((c) => c.dayChanged)) {
      drainWaves(excluded);
      held = null;
      lastBatchSeq = state.seq; // what the snapshots below cover
      // every counter was signed out: the day's earlier sessions end (not one made on the new day, by a
      // sign-in that turned the day over), and the snapshots below tell the terminals
      for (const [counterId, session] of sessions) if (!sameBusinessDay(session.startedAt, hall.now())) forgetSession(counterId);
      endLostSessions(false);
      snapshotsDue.clear();
      for (const nsp of namespaces.values()) {
        for (const socket of nsp.sockets.values()) {
          if (!excluded.includes(socket.id)) socket.emit('hall:snapshot', snapshotFor(socket));
        }
      }
      // and the dashboards the new day's list of requests for help (empty, or the request that turned the day)
      namespaces.get('manager')!.emit('hall:assists', hall.assists.list());
      return;
    }

    const counterNsp = namespaces.get('counter')!;
    let servicesNow: HallUpdate['services'] | null = null;
    const services = () => (servicesNow ??= serviceViews(state, now).map((s) => ({ id: s.id, waiting: s.waiting, availability: s.availability })));
    const counterViews = (ids: Iterable<string>) => [...ids].filter((id) => state.counters.has(id)).map((id) => counterPublicView(state, id, hall.staff));
    const affectedServices = new Set<string>();
    const affectedCounters = new Set<string>();
    // decided once per wave, so a socket that connects mid-wave cannot get a message twice or never
    const whole = new Map<DeviceKind, boolean>([...namespaces].map(([kind, nsp]) => [kind, nsp.sockets.size <= WHOLE_NAMESPACE_SOCKETS]));
    const calls: Outgoing[] = [];
    for (const change of changes) {
      if (change.call) {
        counterNsp.except(excluded).emit('hall:called', change.call);
        for (const kind of ['display', 'manager'] as const) {
          calls.push({ nsp: namespaces.get(kind)!, whole: whole.get(kind)!, message: null, broadcast: { event: 'hall:called', payload: change.call } });
        }
      }
      counterNsp.except(excluded).emit('hall:update', {
        seq: change.seq,
        fromSeq: change.seq,
        serverTime: now,
        services: services(),
        counters: counterViews(change.counterIds),
      });
      if (!held) held = { fromSeq: change.seq, seq: change.seq, counterIds: new Set() };
      held.seq = change.seq;
      for (const id of change.counterIds) {
        held.counterIds.add(id);
        affectedCounters.add(id);
      }
      for (const e of change.events) {
        if ('ticketId' in e) {
          const t = state.tickets.get(e.ticketId);
          if (t) affectedServices.add(t.serviceId);
        }
      }
    }
    if (calls.length > 0) callWaves.push({ messages: calls, shard: 0 });
    if (held && (release || heldDue())) {
      const update: HallUpdate = { seq: held.seq, fromSeq: held.fromSeq, serverTime: now, services: services(), counters: counterViews(held.counterIds) };
      const messages: Outgoing[] = [];
      for (const [kind, nsp] of namespaces) {
        if (kind !== 'counter') messages.push({ nsp, whole: whole.get(kind)!, message: null, broadcast: { event: 'hall:update', payload: update } });
      }
      updateWaves.push({ messages, shard: 0 });
      held = null;
      listenerSentAt = Date.now();
    }
    if (changes.length === 0) return;

    // Counter terminals get their own view when their queue or state may have changed. A counter whose
    // own state changed gets it at once; a counter whose queue merely grew gets it at most every
    // VIEW_INTERVAL_MS (its clerk's own commands answer with the view anyway). A view is ~10 KB: 30 of
    // them per commit were the largest per-commit cost in the load bench.
    lastBatchSeq = changes[changes.length - 1]!.seq;
    for (const counter of state.counters.values()) {
      if (affectedCounters.has(counter.id)) viewsDue.set(counter.id, true);
      else if (counter.services.some((s) => affectedServices.has(s.serviceId)) && !viewsDue.has(counter.id)) viewsDue.set(counter.id, false);
    }
    sendDueViews(excluded);
  }

  /** counter id → urgent (its own state changed) */
  const viewsDue = new Map<string, boolean>();
  const viewSentAt = new Map<string, number>();
  let lastBatchSeq = 0;
  let viewTimer: NodeJS.Timeout | null = null;

  let viewsContinue = false;

  /**
   * Sends the views that are due, urgent ones first, with the seq of the last batch sent (their content
   * is never older). A view costs a pass over the day's tickets: after VIEW_BUDGET_MS the rest wait for
   * the next turn, so a burst of 30 views does not hold up acknowledgements.
   */
  function sendDueViews(excluded: string[]): void {
    const state = hall.state;
    const now = Date.now();
    const started = performance.now();
    const counterNsp = namespaces.get('counter')!;
    let nextDue = Infinity;
    let outOfBudget = false;
    for (const wantUrgent of [true, false]) {
      for (const [counterId, urgent] of viewsDue) {
        if (urgent !== wantUrgent) continue;
        // only the connections with the clerk signed in (signedInHere); a view nobody may see is not made
        const clerks = [...(counterNsp.adapter.rooms.get(counterRoom(counterId)) ?? [])].filter((id) => {
          const socket = counterNsp.sockets.get(id);
          return socket !== undefined && !excluded.includes(id) && signedInHere(socket);
        });
        if (!state.counters.has(counterId) || clerks.length === 0) {
          viewsDue.delete(counterId);
          continue;
        }
        const readyAt = urgent ? 0 : (viewSentAt.get(counterId) ?? 0) + VIEW_INTERVAL_MS;
        if (readyAt > now) {
          nextDue = Math.min(nextDue, readyAt);
          continue;
        }
        if (performance.now() - started >= VIEW_BUDGET_MS) {
          outOfBudget = true;
          break;
        }
        viewsDue.delete(counterId);
        viewSentAt.set(counterId, now);
        counterNsp.to(clerks).emit('counter:view', { seq: lastBatchSeq, view: counterView(state, counterId, hall.staff, hall.figures, hall.now()) });
      }
      if (outOfBudget) break;
    }
    // with changes still queued, the next turn sends the views (its seq covers their content)
    const resume = () => {
      if (pending.length > 0) return scheduleStep();
      const started = performance.now();
      sendDueViews([]);
      hall.trace?.turn(started, performance.now() - started); // a turn of views only
    };
    if (outOfBudget && !viewsContinue) {
      viewsContinue = true;
      setImmediate(() => {
        viewsContinue = false;
        resume();
      });
    } else if (nextDue < Infinity && !viewTimer) {
      viewTimer = setTimeout(() => {
        viewTimer = null;
        resume();
      }, nextDue - now);
      viewTimer.unref();
    }
  }

  const unsubscribe = hall.onChange(queueBroadcast);
  const unsubscribeHealth = hall.onDeviceHealth((view) => namespaces.get('manager')!.emit('device:health', view));

  /** The device's connections, in the namespaces of these kinds (all by default). */
  function* socketsOf(deviceId: string, kinds: Iterable<DeviceKind> = namespaces.keys()): Generator<HallSocket> {
    for (const kind of kinds) {
      for (const socket of namespaces.get(kind)!.sockets.values()) if (socket.data.device.id === deviceId) yield socket;
    }
  }

  function disconnectDevice(deviceId: string): number {
    const sockets = [...socketsOf(deviceId)];
    for (const socket of sockets) socket.disconnect(true);
    return sockets.length;
  }

  // Devices may be revoked by `hall device revoke` in another process: look for them often.
  const handledRevocations = new Set<string>();
  const revokedQuery = hall.store.db.prepare('SELECT id FROM devices WHERE revoked_at IS NOT NULL').pluck();
  const revocationTimer = setInterval(() => {
    try {
      signOutExpired();
      endLostSessions(); // sessions that expired meanwhile
    } catch (err) {
      log.error({ err }, 'session check failed');
    }
    try {
      for (const id of revokedQuery.all() as string[]) {
        if (handledRevocations.has(id)) continue;
        handledRevocations.add(id);
        const n = disconnectDevice(id);
        if (n > 0) log.info({ device: id, sockets: n }, 'revoked device disconnected');
      }
    } catch (err) {
      log.error({ err }, 'revocation check failed');
    }
  }, options.revocationCheckMs ?? REVOCATION_CHECK_MS);
  revocationTimer.unref();

  return {
    io,
    disconnectDevice,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(revocationTimer);
        if (viewTimer) clearTimeout(viewTimer);
        if (holdTimer) clearTimeout(holdTimer);
        unsubscribe();
        unsubscribeHealth();
        io.close(() => resolve());
      }),
  };
}

/** Issues a ticket for a kiosk (Socket.IO and HTTP share this). */
export function issueTicket(hall: Hall, p: IssueTicketPayload, device: DeviceRecord): Ack<IssueTicketResult> & { replay?: boolean } {
  const before = hall.state.seq;
  const outcome = hall.execute(
    {
      type: 'issue',
      serviceId: p.serviceId,
      idempotencyKey: p.idempotencyKey,
      idNumber: p.idNumber,
      priority: p.priority,
      deviceId: device.id,
    },
    { deviceId: device.id, staffId: null },
  );
  if (!outcome.ok) return outcome;
  const t = hall.state.tickets.get(outcome.ticketId!)!;
  return { ok: true, data: { ticket: issuedTicketView(hall.state, t) }, replay: outcome.seq === before };
}

// Compared against when the login is unknown, so a wrong login costs as long as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

