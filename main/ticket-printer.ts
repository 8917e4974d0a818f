// Prints tickets one at a time, keeps every ticket it was asked to print so it can be reprinted (补打),
// and turns a failure into words for the visitor and a health report for the hall.
import type { WebContentsPrintOptions } from 'electron';
import {
  shellError,
  type DeviceProblemCode,
  type PrintReceipt,
  type ShellErrorCode,
  type ShellResult,
  type TicketPrintJobParsed,
} from '../shared/electron-api.ts';
import { ticketPrintOptions, type TicketPrinter } from './print-options.ts';
import { ticketHtml } from './ticket-html.ts';

/** A ticket loaded in the hidden print window. */
export interface RenderedTicket {
  /** the ticket's rendered height in CSS pixels, null when it could not be measured */
  contentHeightPx: number | null;
  print(options: WebContentsPrintOptions): Promise<{ success: boolean; failureReason: string }>;
  close(): void;
}

export interface PrintPort {
  printerNames(): Promise<string[]>;
  render(html: string): Promise<RenderedTicket>;
}

export interface PrintProblem {
  code: DeviceProblemCode;
  message: string;
  ticketNumber: string;
  printer: string | null;
}

export interface TicketPrinterDeps {
  port: PrintPort;
  printer: TicketPrinter | null;
  now: () => number;
  /** told of every failure, and of the first success after one (the hall sees the printer recover) */
  onHealth(problem: PrintProblem | null): void;
  journal: TicketJournal;
}

/** The last tickets this kiosk was asked to print, newest last. Persisted by the caller so a relaunch keeps them. */
export class TicketJournal {
  private readonly jobs: TicketPrintJobParsed[];
  private readonly capacity: number;
  private readonly persist: (jobs: readonly TicketPrintJobParsed[]) => void;

  constructor(initial: readonly TicketPrintJobParsed[], capacity = 50, persist: (jobs: readonly TicketPrintJobParsed[]) => void = () => {}) {
    this.jobs = initial.slice(-capacity);
    this.capacity = capacity;
    this.persist = persist;
  }

  remember(job: TicketPrintJobParsed): void {
    const i = this.jobs.findIndex((j) => j.ticketId === job.ticketId);
    if (i >= 0) this.jobs.splice(i, 1);
    this.jobs.push(job);
    if (this.jobs.length > this.capacity) this.jobs.splice(0, this.jobs.length - this.capacity);
    this.persist(this.jobs);
  }

  find(ticketId: string): TicketPrintJobParsed | null {
    return this.jobs.find((j) => j.ticketId === ticketId) ?? null;
  }

  get all(): readonly TicketPrintJobParsed[] {
    return this.jobs;
  }
}

const PROBLEM_BY_ERROR: Partial<Record<ShellErrorCode, DeviceProblemCode>> = {
  PRINTER_NOT_CONFIGURED: 'PRINTER_NOT_CONFIGURED',
  PRINTER_NOT_FOUND: 'PRINTER_NOT_FOUND',
  PRINT_FAILED: 'PRINT_FAILED',
};

export class TicketPrinterService {
  private readonly deps: TicketPrinterDeps;
  private queue: Promise<unknown> = Promise.resolve();
  private failing = false;

  constructor(deps: TicketPrinterDeps) {
    this.deps = deps;
  }

  /** Keeps the ticket first, then prints it; the result never throws. */
  print(job: TicketPrintJobParsed): Promise<ShellResult<PrintReceipt>> {
    this.deps.journal.remember(job);
    return this.enqueue(job, false);
  }

  reprint(ticketId: string): Promise<ShellResult<PrintReceipt>> {
    const job = this.deps.journal.find(ticketId);
    if (!job) return Promise.resolve({ ok: false, error: shellError('TICKET_UNKNOWN') });
    return this.enqueue(job, true);
  }

  private enqueue(job: TicketPrintJobParsed, reprint: boolean): Promise<ShellResult<PrintReceipt>> {
    // One ticket at a time: two visitors tapping at once must not interleave on a thermal printer.
    const run = this.queue.then(() => this.printNow(job, reprint));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async printNow(job: TicketPrintJobParsed, reprint: boolean): Promise<ShellResult<PrintReceipt>> {
    const printer = this.deps.printer;
    if (!printer) return this.fail('PRINTER_NOT_CONFIGURED', job, null, '未设置打印机');
    let names: string[];
    try {
      names = await this.deps.port.printerNames();
    } catch {
      names = [];
    }
    if (!names.includes(printer.name)) return this.fail('PRINTER_NOT_FOUND', job, printer.name, `打印机 ${printer.name} 不存在或未连接`);
    let rendered: RenderedTicket | null = null;
    try {
      rendered = await this.deps.port.render(await ticketHtml({ job, reprint, printedAt: this.deps.now() }));
      const result = await rendered.print(ticketPrintOptions(printer, rendered.contentHeightPx));
      if (!result.success) return this.fail('PRINT_FAILED', job, printer.name, `打印失败：${result.failureReason || '未知原因'}`);
    } catch (err) {
      return this.fail('PRINT_FAILED', job, printer.name, `打印失败：${err instanceof Error ? err.message : String(err)}`);
    } finally {
      rendered?.close();
    }
    if (this.failing) {
      this.failing = false;
      this.deps.onHealth(null);
    }
    return { ok: true, data: { ticketId: job.ticketId, number: job.number, reprint, printer: printer.name } };
  }

  private fail(code: ShellErrorCode, job: TicketPrintJobParsed, printer: string | null, detail: string): ShellResult<PrintReceipt> {
    this.failing = true;
    this.deps.onHealth({ code: PROBLEM_BY_ERROR[code] ?? 'PRINT_FAILED', message: `${job.number} ${detail}`.slice(0, 300), ticketNumber: job.number, printer });
    return { ok: false, error: shellError(code) };
  }
}
