// The IPC surface behind the preload: every handler checks its sender first and validates its payload with zod.
import type { z } from 'zod';
import {
  ReprintRequest,
  SetupInput,
  SHELL_CHANNELS,
  shellError,
  TicketPrintJob,
  type PrinterChoice,
  type PrintReceipt,
  type ReprintRequest as ReprintRequestType,
  type SetupCheck,
  type SetupDefaults,
  type SetupInput as SetupInputType,
  type ShellChannel,
  type ShellDevice,
  type ShellResult,
  type TicketPrintJobParsed,
} from '../shared/electron-api.ts';
import { isTrustedSender, type PagePolicy, type SenderFrame } from './guards.ts';

export interface IpcEventLike {
  senderFrame: SenderFrame | null;
}

/** The part of Electron's ipcMain the shell uses. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): void;
}

export interface ShellHandlers {
  device(): Promise<ShellResult<ShellDevice>>;
  printTicket(job: TicketPrintJobParsed): Promise<ShellResult<PrintReceipt>>;
  reprintTicket(request: ReprintRequestType): Promise<ShellResult<PrintReceipt>>;
  heartbeat(): void;
  setupDefaults(): Promise<ShellResult<SetupDefaults>>;
  setupPrinters(): Promise<ShellResult<PrinterChoice[]>>;
  setupVerify(input: SetupInputType): Promise<ShellResult<SetupCheck>>;
  setupSave(input: SetupInputType): Promise<ShellResult<SetupCheck>>;
}

const refused = <T>(code: 'FORBIDDEN_SENDER' | 'INVALID_REQUEST'): ShellResult<T> => ({ ok: false, error: shellError(code) });

/** Registers every channel. `policy` is read per call: setup changes which hall page is trusted. */
export function registerShellIpc(ipcMain: IpcMainPort, handlers: ShellHandlers, policy: () => PagePolicy, onRefused: (channel: ShellChannel, url: string | null) => void = () => {}): void {
  function guarded<S extends z.ZodType, R>(channel: ShellChannel, schema: S | null, run: (payload: z.output<S>) => Promise<ShellResult<R>>): void {
    ipcMain.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(channel, event.senderFrame, policy())) {
        onRefused(channel, event.senderFrame?.url ?? null);
        return refused<R>('FORBIDDEN_SENDER');
      }
      if (schema === null) return args.length === 0 ? run(undefined as z.output<S>) : refused<R>('INVALID_REQUEST');
      if (args.length !== 1) return refused<R>('INVALID_REQUEST');
      const parsed = schema.safeParse(args[0]);
      return parsed.success ? run(parsed.data) : refused<R>('INVALID_REQUEST');
    });
  }
  guarded(SHELL_CHANNELS.device, null, () => handlers.device());
  guarded(SHELL_CHANNELS.printTicket, TicketPrintJob, (job) => handlers.printTicket(job));
  guarded(SHELL_CHANNELS.reprintTicket, ReprintRequest, (request) => handlers.reprintTicket(request));
  guarded(SHELL_CHANNELS.setupDefaults, null, () => handlers.setupDefaults());
  guarded(SHELL_CHANNELS.setupPrinters, null, () => handlers.setupPrinters());
  guarded(SHELL_CHANNELS.setupVerify, SetupInput, (input) => handlers.setupVerify(input));
  guarded(SHELL_CHANNELS.setupSave, SetupInput, (input) => handlers.setupSave(input));
  ipcMain.on(SHELL_CHANNELS.heartbeat, (event) => {
    if (isTrustedSender(SHELL_CHANNELS.heartbeat, event.senderFrame, policy())) handlers.heartbeat();
  });
}
