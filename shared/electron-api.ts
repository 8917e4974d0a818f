// The Electron shell's preload API, declared once: main/preload.ts exposes it (`satisfies HallShellApi`),
// main/ validates every IPC payload with these schemas, and the pages use the types through `window.hallShell`.
// Pure TypeScript and zod only: this file is loaded by the renderer, main and server alike.
import { z } from 'zod';
import { API_PREFIX, type DeviceKind } from './protocol.ts';

/** One app, one role per machine. `all-in-one` also runs the hall server itself and opens one of the other screens. */
export const SHELL_ROLES = ['kiosk', 'counter', 'display', 'counter-display', 'evaluator', 'manager', 'all-in-one'] as const;
export const ShellRole = z.enum(SHELL_ROLES);
export type ShellRole = z.infer<typeof ShellRole>;

/** The screens an all-in-one machine can show. */
export const SCREEN_ROLES = ['kiosk', 'counter', 'display', 'counter-display', 'evaluator', 'manager'] as const;
export const ScreenRole = z.enum(SCREEN_ROLES);
export type ScreenRole = z.infer<typeof ScreenRole>;

/**
 * The device kinds whose token each screen accepts, tried in order. There is no counter-display device
 * kind: a counter display pairs with a display token (read-only), or with its counter's token where the
 * hall has not issued a separate one. The shell pairs by it (main/roles.ts) and the server checks a
 * health report's role against it.
 */
export const SCREEN_DEVICE_KINDS = {
  kiosk: ['kiosk'],
  counter: ['counter'],
  display: ['display'],
  'counter-display': ['display', 'counter'],
  evaluator: ['evaluator'],
  manager: ['manager'],
} as const satisfies Record<ScreenRole, readonly DeviceKind[]>;

/** The name the preload uses with contextBridge.exposeInMainWorld. */
export const HALL_SHELL_GLOBAL = 'hallShell';
export const HALL_SETUP_GLOBAL = 'hallSetup';

/** IPC channels, in one place so preload and main cannot drift apart. */
export const SHELL_CHANNELS = {
  device: 'hall-shell:device',
  printTicket: 'hall-shell:print-ticket',
  reprintTicket: 'hall-shell:reprint-ticket',
  heartbeat: 'hall-shell:heartbeat',
  setupDefaults: 'hall-setup:defaults',
  setupPrinters: 'hall-setup:printers',
  setupVerify: 'hall-setup:verify',
  setupSave: 'hall-setup:save',
} as const;
export type ShellChannel = (typeof SHELL_CHANNELS)[keyof typeof SHELL_CHANNELS];

// ---------------------------------------------------------------- errors

export const SHELL_ERROR_MESSAGES = {
  INVALID_SERVER_URL: { zh: '服务器地址不正确，应类似 http://192.168.1.10:8080', en: 'The server address is not valid; it looks like http://192.168.1.10:8080' },
  SERVER_UNREACHABLE: { zh: '无法连接大厅服务器，请检查网络和地址', en: 'The hall server cannot be reached; check the network and the address' },
  NOT_A_HALL_SERVER: { zh: '该地址不是大厅排队服务器', en: 'That address is not a hall queue server' },
  PROTOCOL_MISMATCH: { zh: '本机程序与大厅服务器版本不兼容，请更新', en: 'This shell is not compatible with the hall server; update it' },
  UNAUTHORIZED: { zh: '配对令牌无效或已被吊销', en: 'The pairing token is not valid or was revoked' },
  FORBIDDEN: { zh: '该令牌不属于此类设备', en: 'That token belongs to another kind of device' },
  STORAGE_UNAVAILABLE: { zh: '本机无法安全保存令牌（系统加密不可用）', en: 'This computer cannot store the token safely (OS encryption unavailable)' },
  NOT_CONFIGURED: { zh: '本机尚未完成设置', en: 'This machine is not set up yet' },
  PRINTER_NOT_CONFIGURED: { zh: '未设置打印机，请联系工作人员', en: 'No printer is set up; please ask staff' },
  PRINTER_NOT_FOUND: { zh: '找不到打印机，请联系工作人员', en: 'The printer cannot be found; please ask staff' },
  PRINT_FAILED: { zh: '号票打印失败，您的号码已保留，请联系工作人员补打', en: 'The ticket could not be printed; your number is kept, ask staff for a reprint' },
  TICKET_UNKNOWN: { zh: '本机没有该号票的记录，无法补打', en: 'This machine has no record of that ticket to reprint' },
  NOT_A_KIOSK: { zh: '只有取号机可以打印号票', en: 'Only a kiosk prints tickets' },
  INVALID_REQUEST: { zh: '请求内容不正确', en: 'The request is malformed' },
  FORBIDDEN_SENDER: { zh: '此页面不能使用该功能', en: 'This page may not use that' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type ShellErrorCode = keyof typeof SHELL_ERROR_MESSAGES;

export interface ShellError {
  code: ShellErrorCode;
  message: string;
}

export type ShellResult<T> = { ok: true; data: T } | { ok: false; error: ShellError };

export function shellError(code: ShellErrorCode): ShellError {
  return { code, message: SHELL_ERROR_MESSAGES[code].zh };
}

// ---------------------------------------------------------------- what a page learns about its machine

export interface ShellDevice {
  /** the screen this page is, never `all-in-one` */
  screen: ScreenRole;
  serverUrl: string;
  /** the pairing token, for Socket.IO handshake.auth.token */
  token: string;
  /** counter displays show one counter */
  counterNumber: number | null;
  /** whether this machine prints tickets (a kiosk with a printer set up) */
  canPrint: boolean;
  appVersion: string;
}

// ---------------------------------------------------------------- ticket printing

const Text = (max: number) => z.string().trim().min(1).max(max);

/** What the kiosk page sends to print; the shell renders and prints it (never an ID number: there is no field for one). */
export const TicketPrintJob = z.strictObject({
  ticketId: Text(64),
  number: z.string().regex(/^[A-Z0-9-]{1,12}$/),
  hallName: Text(100),
  serviceName: Text(100),
  peopleAhead: z.number().int().min(0).max(100_000),
  issuedAt: z.number().int().positive(),
  timeZone: Text(64),
  /** the tracking / evaluation address printed as a QR code */
  trackingUrl: z.url({ protocol: /^https?$/ }).max(500),
  /** waiting instructions and the no-show rule, one line each */
  notes: z.array(Text(120)).max(6).default([]),
  priority: z.boolean().default(false),
});
export type TicketPrintJob = z.input<typeof TicketPrintJob>;
export type TicketPrintJobParsed = z.output<typeof TicketPrintJob>;

export const ReprintRequest = z.strictObject({ ticketId: Text(64) });
export type ReprintRequest = z.infer<typeof ReprintRequest>;

export interface PrintReceipt {
  ticketId: string;
  number: string;
  reprint: boolean;
  printer: string;
}

// ---------------------------------------------------------------- device health (shell → hall server)

export const DEVICE_HEALTH_PATH = `${API_PREFIX}/devices/health`;

export const DEVICE_PROBLEM_CODES = ['PRINT_FAILED', 'PRINTER_NOT_FOUND', 'PRINTER_NOT_CONFIGURED', 'RENDERER_CRASHED', 'PAGE_FROZEN', 'CRASH_LOOP'] as const;
export const DeviceProblemCode = z.enum(DEVICE_PROBLEM_CODES);
export type DeviceProblemCode = z.infer<typeof DeviceProblemCode>;

/** Body of POST /api/v1/devices/health, sent with `Authorization: Bearer <device token>`. */
export const DeviceHealthReport = z.strictObject({
  protocolVersion: z.number().int(),
  role: ShellRole,
  appVersion: z.string().min(1).max(40),
  status: z.enum(['ok', 'degraded', 'fault']),
  at: z.number().int().positive(),
  problem: z
    .strictObject({
      code: DeviceProblemCode,
      /** in the hall's language, for the manager dashboard; never personal data */
      message: z.string().min(1).max(300),
      ticketNumber: z.string().max(12).optional(),
      printer: z.string().max(200).optional(),
    })
    .nullable(),
});
export type DeviceHealthReport = z.infer<typeof DeviceHealthReport>;

// ---------------------------------------------------------------- first-run setup

export const SetupInput = z.strictObject({
  role: ShellRole,
  /** for all-in-one: which screen to open */
  screen: ScreenRole.optional(),
  serverUrl: z.string().trim().min(1).max(300),
  token: z.string().trim().min(1).max(256),
  printerName: z.string().trim().min(1).max(200).optional(),
  counterNumber: z.number().int().positive().max(9999).optional(),
});
export type SetupInput = z.infer<typeof SetupInput>;

export interface SetupDefaults {
  role: ShellRole | null;
  screen: ScreenRole | null;
  serverUrl: string | null;
  printerName: string | null;
  counterNumber: number | null;
  roles: readonly ShellRole[];
}

export interface PrinterChoice {
  name: string;
  displayName: string;
}

export interface SetupCheck {
  serverUrl: string;
  deviceKind: string;
  protocolVersion: number;
  businessDate: string;
}

// ---------------------------------------------------------------- the preload's face

/** `window.hallShell` on the hall pages inside the shell; absent in an ordinary browser. */
export interface HallShellApi {
  readonly apiVersion: 1;
  device(): Promise<ShellResult<ShellDevice>>;
  /** prints silently; a failure comes back in words for the visitor and is reported to the server */
  printTicket(job: TicketPrintJob): Promise<ShellResult<PrintReceipt>>;
  /** prints the last copy this kiosk kept, marked 补打 */
  reprintTicket(request: ReprintRequest): Promise<ShellResult<PrintReceipt>>;
}

/** `window.hallSetup` on the shell's own first-run setup page only. */
export interface HallSetupApi {
  defaults(): Promise<ShellResult<SetupDefaults>>;
  printers(): Promise<ShellResult<PrinterChoice[]>>;
  verify(input: SetupInput): Promise<ShellResult<SetupCheck>>;
  /** verifies again, stores the token with safeStorage, writes the config and opens the screen */
  save(input: SetupInput): Promise<ShellResult<SetupCheck>>;
}
