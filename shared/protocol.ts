// The hall's wire protocol: every Socket.IO event and REST body, defined once as zod schemas.
// Types are inferred from the schemas; the server validates every inbound payload with them.
import { z } from 'zod';
import type { HallError } from './errors.ts';

/** Bumped on any change an older client cannot understand. Clients send it in handshake.auth. */
export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------- domain vocabulary

export const DEVICE_KINDS = ['kiosk', 'counter', 'display', 'evaluator', 'manager'] as const;
export const DeviceKind = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof DeviceKind>;

export const STAFF_ROLES = ['clerk', 'manager', 'admin'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

export const COUNTER_KINDS = ['comprehensive', 'dedicated', 'assisted', 'priority'] as const;
export const CounterKind = z.enum(COUNTER_KINDS);
export type CounterKind = z.infer<typeof CounterKind>;

export const COUNTER_STATUSES = ['signed_out', 'idle', 'calling', 'serving', 'paused'] as const;
export const CounterStatus = z.enum(COUNTER_STATUSES);
export type CounterStatus = z.infer<typeof CounterStatus>;

export const SERVICE_LEVELS = ['primary', 'backup'] as const;
export const ServiceLevel = z.enum(SERVICE_LEVELS);
export type ServiceLevel = z.infer<typeof ServiceLevel>;

export const TICKET_STATUSES = ['waiting', 'called', 'serving', 'suspended', 'completed', 'no_show', 'cancelled'] as const;
export const TicketStatus = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatus>;
export const FINAL_TICKET_STATUSES: readonly TicketStatus[] = ['completed', 'no_show', 'cancelled'];

/** 办结 / 受理 / 容缺受理 / 退办 / 咨询 */
export const OUTCOMES = ['concluded', 'accepted', 'accepted_pending', 'returned', 'consulted'] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const PRIORITY_KINDS = ['elderly', 'disabled', 'military', 'pregnant'] as const;
export const PriorityKind = z.enum(PRIORITY_KINDS);
export type PriorityKind = z.infer<typeof PriorityKind>;

/** Why call-next chose a ticket, in rule order (see docs/queue-policy.md). */
export const CALL_RULES = ['specific', 'directed', 'priority', 'overdue', 'primary', 'backup'] as const;
export const CallRule = z.enum(CALL_RULES);
export type CallRule = z.infer<typeof CallRule>;

export const SUSPEND_RETURNS = ['this_counter', 'any_counter'] as const;
export const SuspendReturn = z.enum(SUSPEND_RETURNS);
export type SuspendReturn = z.infer<typeof SuspendReturn>;

export const LocalisedName = z.strictObject({
  zh: z.string().min(1).max(100),
  en: z.string().min(1).max(100),
});
export type LocalisedName = z.infer<typeof LocalisedName>;

// ---------------------------------------------------------------- command payloads (client → server)

const Id = z.string().min(1).max(64);

export const IssueTicketPayload = z.strictObject({
  serviceId: Id,
  // well-formed: the database keeps UTF-8, where two different lone surrogates would become one key
  idempotencyKey: z.string().min(8).max(128).refine((key) => key.isWellFormed(), 'idempotencyKey must be well-formed Unicode'),
  idNumber: z.string().min(1).max(32).optional(),
  priority: PriorityKind.optional(),
});
export type IssueTicketPayload = z.infer<typeof IssueTicketPayload>;

export const SignInPayload = z.strictObject({
  login: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  /**
   * a terminal signing in again by itself after a reconnect: the sessionId of its sign-in, which
   * continues only if nothing ended it meanwhile (SESSION_ENDED, SESSION_EXPIRED otherwise)
   */
  resume: z.string().min(8).max(64).regex(/^[\w-]+$/).optional(),
});
export type SignInPayload = z.infer<typeof SignInPayload>;

export const EmptyPayload = z.strictObject({}).optional();

export const TicketRefPayload = z.strictObject({ ticketId: Id });
export type TicketRefPayload = z.infer<typeof TicketRefPayload>;

export const CompletePayload = z.strictObject({ outcome: Outcome });
export type CompletePayload = z.infer<typeof CompletePayload>;

export const TransferPayload = z.union([
  z.strictObject({ serviceId: Id }),
  z.strictObject({ counterId: Id }),
]);
export type TransferPayload = z.infer<typeof TransferPayload>;

export const SuspendPayload = z.strictObject({ returnTo: SuspendReturn.optional() }).optional();
export type SuspendPayload = z.infer<typeof SuspendPayload>;

/**
 * Whether free text carries what looks like an ID or phone number: six or more digits in a row once
 * clock times (10:00) and then everything but letters and digits are taken out (full-width digits and
 * punctuation included). Such text is refused rather than kept, because what staff type here (a clerk's
 * or a hall manager's pause reason) goes into the audit trail for good and onto every screen.
 */
export function looksLikePersonalNumber(text: string): boolean {
  // clock times (预计10:00-11:30恢复) are not numbers about anyone: they go before the digits are joined
  const withoutTimes = text.normalize('NFKC').replace(/(?<!\d)(?:[01]?\d|2[0-3]):[0-5]\d(?!\d)/g, ' ');
  return /\d{6,}/.test(withoutTimes.replace(/[^\p{L}\p{N}]/gu, ''));
}

/** why a counter or a service's issuing is paused: shown on screens and kept in the audit trail, so never a personal number */
const PauseReason = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .refine((reason) => !looksLikePersonalNumber(reason), '暂停原因不能包含证件号码或手机号码');

export const PausePayload = z.strictObject({ reason: PauseReason });
export type PausePayload = z.infer<typeof PausePayload>;

/** 呼叫帮办: a visitor at a kiosk asks staff for help; managers see it. */
export const AssistRequestPayload = z.strictObject({
  reason: z.enum(['help', 'elderly', 'disabled', 'other']).optional(),
});
export type AssistRequestPayload = z.infer<typeof AssistRequestPayload>;

/** Command name → payload schema, per namespace. */
export const KIOSK_COMMANDS = {
  'ticket:issue': IssueTicketPayload,
  'kiosk:assist': AssistRequestPayload,
} as const;

export const COUNTER_COMMANDS = {
  'staff:sign-in': SignInPayload,
  'staff:sign-out': EmptyPayload,
  'counter:call-next': EmptyPayload,
  'counter:call': TicketRefPayload,
  'counter:recall': EmptyPayload,
  'counter:start': EmptyPayload,
  'counter:complete': CompletePayload,
  'counter:no-show': EmptyPayload,
  'counter:transfer': TransferPayload,
  'counter:suspend': SuspendPayload,
  'counter:resume': TicketRefPayload,
  'counter:reactivate': TicketRefPayload,
  'counter:pause': PausePayload,
  'counter:unpause': EmptyPayload,
} as const;

/**
 * A hall manager signs in on the dashboard with their own account (role manager or admin): the same
 * fields as a clerk's sign-in, `resume` continuing the dashboard's own sign-in after a reconnect.
 */
export const ManagerSignInPayload = SignInPayload;
export type ManagerSignInPayload = z.infer<typeof ManagerSignInPayload>;

/**
 * Signs the clerk out of a counter, with the visitor called or served there (a terminal that died, a
 * clerk who moved on): the visitor goes back to the queue with their queue time, or to `toCounterId`,
 * whose clerk calls them there. Visitors suspended for that counter only may then be resumed at any
 * counter serving their service.
 */
export const ReleaseCounterPayload = z.strictObject({
  counterId: Id,
  toCounterId: Id.optional(),
  /** the visitor the manager saw called or served there (null: nobody): refused with COUNTER_CHANGED when that changed */
  expectedTicketId: Id.nullable().optional(),
});
export type ReleaseCounterPayload = z.infer<typeof ReleaseCounterPayload>;

/** A hall manager takes a 呼叫帮办 request: the other dashboards see who, the kiosk that asked is told someone is coming. */
export const HandleAssistPayload = z.strictObject({ requestId: Id });
export type HandleAssistPayload = z.infer<typeof HandleAssistPayload>;

/** A hall manager stops the kiosks issuing tickets for a service (for today at most), saying why; visitors already waiting are still called. */
export const PauseIssuingPayload = z.strictObject({ serviceId: Id, reason: PauseReason });
export type PauseIssuingPayload = z.infer<typeof PauseIssuingPayload>;
export const ResumeIssuingPayload = z.strictObject({ serviceId: Id });
export type ResumeIssuingPayload = z.infer<typeof ResumeIssuingPayload>;

/** A service a counter calls for, and how: main work (primary) or backup (docs/queue-policy.md). */
export const CounterServiceLevel = z.strictObject({ serviceId: Id, level: ServiceLevel });
export type CounterServiceLevel = z.infer<typeof CounterServiceLevel>;

/** the counter's `servicesSetAt` the manager saw (null: the catalogue's): refused with COUNTER_CHANGED when that changed meanwhile */
const ExpectedSetAt = z.number().int().nonnegative().nullable().optional();
/**
 * 潮汐窗口: a hall manager changes the services a counter calls for, for the rest of the day at most
 * (the catalogue's come back at the close of the day, or with counter:reset-services). The visitor at
 * the counter stays; visitors directed to it stay directed.
 */
export const SetCounterServicesPayload = z.strictObject({
  counterId: Id,
  services: z
    .array(CounterServiceLevel)
    .min(1)
    .max(200)
    .refine((list) => new Set(list.map((s) => s.serviceId)).size === list.length, 'a service is named twice'),
  expectedSetAt: ExpectedSetAt,
});
export type SetCounterServicesPayload = z.infer<typeof SetCounterServicesPayload>;
export const ResetCounterServicesPayload = z.strictObject({ counterId: Id, expectedSetAt: ExpectedSetAt });
export type ResetCounterServicesPayload = z.infer<typeof ResetCounterServicesPayload>;

export const MANAGER_COMMANDS = {
  'staff:sign-in': ManagerSignInPayload,
  'staff:sign-out': EmptyPayload,
  'counter:release': ReleaseCounterPayload,
  'assist:handle': HandleAssistPayload,
  'service:pause-issuing': PauseIssuingPayload,
  'service:resume-issuing': ResumeIssuingPayload,
  'counter:set-services': SetCounterServicesPayload,
  'counter:reset-services': ResetCounterServicesPayload,
} as const;

export type KioskCommand = keyof typeof KIOSK_COMMANDS;
export type CounterCommand = keyof typeof COUNTER_COMMANDS;
export type ManagerCommand = keyof typeof MANAGER_COMMANDS;

/** Every namespace answers this with a fresh snapshot (clients use it after a seq gap). */
export const SYNC_COMMAND = 'hall:sync';

// ---------------------------------------------------------------- views (server → client)

export interface TicketRef {
  id: string;
  number: string;
  serviceId: string;
}

export interface CounterRef {
  id: string;
  number: number;
  name: string;
}

export interface IssuedTicket extends TicketRef {
  /** 1 = next in this service's queue */
  position: number;
  peopleAhead: number;
  trackingToken: string;
  issuedAt: number;
  priority: PriorityKind | null;
  /** estimated wait in minutes, when the server can estimate it */
  estimatedWaitMinutes: number | null;
}

export interface IssueTicketResult {
  ticket: IssuedTicket;
}

export interface ServiceAvailability {
  issuing: boolean;
  /** why not issuing: SERVICE_INACTIVE (catalogue), ISSUING_PAUSED (a hall manager, today), OUTSIDE_ISSUING_PERIOD, QUOTA_EXHAUSTED */
  reason: 'OUTSIDE_ISSUING_PERIOD' | 'QUOTA_EXHAUSTED' | 'SERVICE_INACTIVE' | 'ISSUING_PAUSED' | null;
  remainingQuota: number | null;
  /** with ISSUING_PAUSED: the reason the manager gave */
  pauseReason?: string;
}

export interface ServiceView {
  id: string;
  code: string;
  names: LocalisedName;
  prefix: string;
  categoryId: string;
  waiting: number;
  idRequired: boolean;
  guide: LocalisedName | null;
  issuingPeriods: { start: string; end: string }[];
  availability: ServiceAvailability;
}

export interface CategoryView {
  id: string;
  names: LocalisedName;
}

export interface CounterPublicView extends CounterRef {
  kind: CounterKind;
  area: string;
  status: CounterStatus;
  /** when the counter entered this status (server clock, epoch ms): the dashboard shows how long a counter has been calling */
  statusSince: number;
  pauseReason: string | null;
  current: TicketRef | null;
  /** display name of the signed-in clerk, with their staff number */
  staff: { name: string; staffNo: string } | null;
  /** the services the counter calls for now, its main work first (the catalogue's, or a hall manager's for today) */
  serviceIds: string[];
  /** those of `serviceIds` it calls for only as backup, after its main work */
  backupServiceIds: string[];
  /** when a hall manager changed its services away from the catalogue's for today (潮汐窗口); null: the catalogue's */
  servicesSetAt: number | null;
}

export interface CallView {
  seq: number;
  ticket: TicketRef;
  counter: CounterRef;
  recall: boolean;
  recallCount: number;
  at: number;
}

export interface TicketDetail extends TicketRef {
  status: TicketStatus;
  priority: PriorityKind | null;
  idMasked: string | null;
  issuedAt: number;
  calledAt: number | null;
  startedAt: number | null;
  recalls: number;
  chosenBy: CallRule | null;
  /** handling time so far, suspended spells excluded */
  servedMs: number;
  transfers: number;
}

export interface QueueEntryView extends TicketRef {
  issuedAt: number;
  priority: PriorityKind | null;
  directed: boolean;
  status: TicketStatus;
}

export interface CounterFigures {
  called: number;
  completed: number;
  noShows: number;
  transfersOut: number;
  suspended: number;
  /** mean handling time of completed tickets, ms; null before the first */
  meanHandlingMs: number | null;
}

/**
 * The business day's figures, as the manager dashboard shows them. Every count is of today's tickets
 * (issued on this business day), by where each is now: the parts add up to `issued`.
 */
export interface TodayFiguresView {
  businessDate: string;
  /** when they were counted (server clock) */
  at: number;
  tickets: { issued: number; waiting: number; called: number; serving: number; suspended: number; completed: number; noShow: number; cancelled: number };
  /** today's tickets called at least once */
  calledOnce: number;
  /** mean of (first call − issue) over those, ms; null before the first call */
  meanWaitMs: number | null;
  /** now − issue of the earliest-issued ticket still waiting that was never called, ms; null when there is none */
  longestWaitingMs: number | null;
  /** mean handling time (the sum of its serving spells) over today's completed tickets, ms; null before the first */
  meanHandlingMs: number | null;
}

export interface CounterView {
  counterId: string;
  status: CounterStatus;
  pauseReason: string | null;
  staff: { id: string; name: string; login: string; staffNo: string } | null;
  services: { serviceId: string; level: ServiceLevel }[];
  current: TicketDetail | null;
  /** tickets this counter could call, in call-next order */
  queue: QueueEntryView[];
  /** suspended tickets this counter may resume */
  suspended: QueueEntryView[];
  /** no-shows still inside the grace period */
  noShows: QueueEntryView[];
  today: CounterFigures;
}

export interface HallSnapshot {
  protocolVersion: number;
  seq: number;
  serverTime: number;
  businessDate: string;
  /** priorityAge: age from which an ID number earns priority (the kiosk offers it) */
  hall: { name: LocalisedName; timeZone: string; notice: string | null; priorityAge: number };
  categories: CategoryView[];
  services: ServiceView[];
  counters: CounterPublicView[];
  recentCalls: CallView[];
  /** only on /counter: the counter this terminal serves (null elsewhere, or when the device has none) */
  counterId: string | null;
  /**
   * only on /counter, and only for a connection with a clerk signed in at that counter: the counter's
   * own view (its queue, the visitor in hand with the masked ID). A terminal nobody is signed in on
   * sees what the hall displays show.
   */
  counter: CounterView | null;
}

export interface HallUpdate {
  /** the last commit this update covers */
  seq: number;
  /**
   * the first commit it covers: equal to seq on /counter; displays, kiosks, evaluators and managers get
   * one merged update for several commits. A gap is fromSeq > (last seq seen) + 1.
   */
  fromSeq: number;
  serverTime: number;
  services: { id: string; waiting: number; availability: ServiceAvailability }[];
  counters: CounterPublicView[];
}

export interface CounterViewMessage {
  seq: number;
  view: CounterView;
}

export interface TrackView {
  number: string;
  serviceId: string;
  serviceName: LocalisedName;
  status: TicketStatus;
  position: number | null;
  peopleAhead: number | null;
  counter: CounterRef | null;
  issuedAt: number;
  /** the hall's IANA time zone: the phone shows times as the hall's clocks do, whatever zone it is set to */
  timeZone: string;
}

// ---------------------------------------------------------------- acknowledgements

export type Ack<T> = { ok: true; data: T } | { ok: false; error: HallError };
export type AckCallback<T> = (answer: Ack<T>) => void;

/** The staff member signed in on a connection, as their own sign-in's answer shows them. */
export interface StaffView {
  id: string;
  name: string;
  login: string;
  staffNo: string;
  role: StaffRole;
}

export interface SignInResult {
  staff: StaffView;
  view: CounterView;
  /** this sign-in's session, for `resume` after a reconnect */
  sessionId: string;
}

/** Why a /counter connection's clerk session ended (sent just before its fresh snapshot). */
export interface SessionEndedMessage {
  /** expired: older than staffSessionHours; ended: a sign-in or sign-out elsewhere, a hall manager's release, or the close of the day */
  reason: 'expired' | 'ended';
}

/** A sign-out's answer: no counter view (the terminal that signed out may no longer see it). */
export interface SignOutResult {
  /** the clerk who signed out */
  staffId: string;
}

/** A manager's sign-in on /manager: until sign-out or staffSessionHours, or a restart of the server. */
export interface ManagerSignInResult {
  staff: StaffView;
  /** for `resume` after a reconnect */
  sessionId: string;
}

export interface ReleaseCounterResult {
  counterId: string;
  /** the clerk signed out there */
  staffId: string;
  /** the visitor who was called or served there, and where they went; null: nobody was */
  ticket: { id: string; number: string; to: 'queue' | { counterId: string } } | null;
}

export interface CounterCommandResult {
  view: CounterView;
  /** the ticket the command acted on, when there is one */
  ticket: TicketDetail | null;
}

// ---------------------------------------------------------------- Socket.IO event maps

/** A 呼叫帮办 request of today, open until a hall manager takes it (docs/protocol.md, /manager). */
export interface AssistRequestView {
  id: string;
  deviceId: string;
  deviceName: string;
  reason: AssistRequestPayload['reason'] | null;
  /** the first ask */
  at: number;
  /** the latest ask: a kiosk that asks again while its request is open asks in the same request */
  lastAt: number;
  /** how many times the kiosk asked while the request was open */
  times: number;
  /** who took it and when; null while it is open */
  handled: { at: number; staffId: string; staffName: string } | null;
}

/** A service's issuing after a manager paused or resumed it. */
export interface IssuingResult {
  serviceId: string;
  availability: ServiceAvailability;
}

/** The services a counter calls for after a manager changed or reset them. */
export interface CounterServicesResult {
  counterId: string;
  services: CounterServiceLevel[];
  /** when they stopped being the catalogue's (server clock, epoch ms); null: the catalogue's */
  servicesSetAt: number | null;
}

/** requests for help already taken that a dashboard is sent on connecting and shows: the latest taken */
export const TAKEN_ASSISTS_SHOWN = 5;

/** To the kiosk that asked: a hall manager took its request. */
export interface AssistHandledMessage {
  requestId: string;
  staffName: string;
}

/** An Electron shell's latest health report, as managers see it (the report's schema: shared/electron-api.ts). */
export interface DeviceHealthView {
  deviceId: string;
  deviceName: string;
  kind: DeviceKind;
  receivedAt: number;
  report: {
    status: 'ok' | 'degraded' | 'fault';
    role: string;
    appVersion: string;
    at: number;
    problem: { code: string; message: string; ticketNumber?: string | undefined; printer?: string | undefined } | null;
  };
}

export interface ServerToClientEvents {
  'hall:snapshot': (snapshot: HallSnapshot) => void;
  /** to /manager only: a request made, asked again or taken */
  'hall:assist': (request: AssistRequestView) => void;
  /** to /manager only, on connecting: today's requests (every open one, then the latest taken), oldest first */
  'hall:assists': (requests: AssistRequestView[]) => void;
  /** to /kiosk only, to the kiosk whose request was taken */
  'kiosk:assist-handled': (message: AssistHandledMessage) => void;
  /** to /manager only */
  'device:health': (health: DeviceHealthView) => void;
  'hall:called': (call: CallView) => void;
  'hall:update': (update: HallUpdate) => void;
  'counter:view': (message: CounterViewMessage) => void;
  /** to a /counter connection whose clerk session ended */
  'staff:session-ended': (message: SessionEndedMessage) => void;
}

type Command<P, R> = (payload: P, ack: AckCallback<R>) => void;

export interface KioskClientEvents {
  'ticket:issue': Command<IssueTicketPayload, IssueTicketResult>;
  'kiosk:assist': Command<AssistRequestPayload | undefined, { requestId: string }>;
  'hall:sync': (ack: AckCallback<HallSnapshot>) => void;
}

export interface CounterClientEvents {
  'staff:sign-in': Command<SignInPayload, SignInResult>;
  'staff:sign-out': Command<Record<string, never> | undefined, SignOutResult>;
  'counter:call-next': Command<Record<string, never> | undefined, CounterCommandResult>;
  'counter:call': Command<TicketRefPayload, CounterCommandResult>;
  'counter:recall': Command<Record<string, never> | undefined, CounterCommandResult>;
  'counter:start': Command<Record<string, never> | undefined, CounterCommandResult>;
  'counter:complete': Command<CompletePayload, CounterCommandResult>;
  'counter:no-show': Command<Record<string, never> | undefined, CounterCommandResult>;
  'counter:transfer': Command<TransferPayload, CounterCommandResult>;
  'counter:suspend': Command<SuspendPayload, CounterCommandResult>;
  'counter:resume': Command<TicketRefPayload, CounterCommandResult>;
  'counter:reactivate': Command<TicketRefPayload, CounterCommandResult>;
  'counter:pause': Command<PausePayload, CounterCommandResult>;
  'counter:unpause': Command<Record<string, never> | undefined, CounterCommandResult>;
  'hall:sync': (ack: AckCallback<HallSnapshot>) => void;
}

export interface ManagerClientEvents {
  'staff:sign-in': Command<ManagerSignInPayload, ManagerSignInResult>;
  'staff:sign-out': Command<Record<string, never> | undefined, SignOutResult>;
  'counter:release': Command<ReleaseCounterPayload, ReleaseCounterResult>;
  'assist:handle': Command<HandleAssistPayload, AssistRequestView>;
  'service:pause-issuing': Command<PauseIssuingPayload, IssuingResult>;
  'service:resume-issuing': Command<ResumeIssuingPayload, IssuingResult>;
  'counter:set-services': Command<SetCounterServicesPayload, CounterServicesResult>;
  'counter:reset-services': Command<ResetCounterServicesPayload, CounterServicesResult>;
  'hall:sync': (ack: AckCallback<HallSnapshot>) => void;
}

export interface ListenerClientEvents {
  'hall:sync': (ack: AckCallback<HallSnapshot>) => void;
}

/** What a client puts in `handshake.auth`. */
export const HandshakeAuth = z.object({
  token: z.string().min(1).max(256),
  protocolVersion: z.number().int().optional(),
});
export type HandshakeAuth = z.infer<typeof HandshakeAuth>;

export const NAMESPACES = {
  kiosk: '/kiosk',
  counter: '/counter',
  display: '/display',
  evaluator: '/evaluator',
  manager: '/manager',
} as const satisfies Record<DeviceKind, string>;

/** Data attached to connect_error when the server refuses a connection. */
export interface ConnectErrorData {
  /** RATE_LIMITED: the device holds too many connections or connects too often; try again later */
  code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'PROTOCOL_MISMATCH' | 'RATE_LIMITED';
  message: string;
}

// ---------------------------------------------------------------- HTTP

export const API_PREFIX = '/api/v1';

export interface HealthView {
  status: 'ok';
  protocolVersion: number;
  seq: number;
  businessDate: string;
  uptimeSeconds: number;
  timings: ServerTimingsView;
}

/** Nearest-rank percentiles of durations in milliseconds. */
export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** How long the server takes (server/timings.ts); null where nothing was measured yet. */
export interface ServerTimingsView {
  /**
   * by command event name (e.g. `ticket:issue`, `counter:call-next`), over each one's last 1,024 that
   * passed validation: from the server reading the command to its acknowledgement handed to the
   * connection — the server's own share of what the kiosk or clerk waits for
   */
  commands: Record<string, LatencySummary>;
  /** each command's transaction with its fsync, over the last 1,024 commits */
  commits: LatencySummary | null;
  commitsSinceStart: number;
  /** how late a 1 ms timer fired: what anything arriving waits for the event loop, over the last full 10 s */
  eventLoopDelay: LatencySummary | null;
  /** the server's main thread over the last full 10 s (null before the first window ends) */
  mainThread: MainThreadView | null;
}

/** Shares of a window's wall time (0–1, three decimals). */
export interface MainThreadView {
  windowMs: number;
  /** running on a CPU (its JavaScript, SQLite's transactions, socket writes) */
  cpuShare: number;
  /**
   * ready to run but waiting for a CPU that other threads or processes had (Linux; null elsewhere): a
   * few per cent means the machine is crowded, and every answer waits that much longer
   */
  runQueueShare: number | null;
}

export type PublicServiceView = Pick<ServiceView, 'id' | 'code' | 'names' | 'prefix' | 'categoryId' | 'waiting' | 'availability'>;
