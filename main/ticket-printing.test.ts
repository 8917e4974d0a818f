import type { WebContentsPrintOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { TicketPrintJob, type TicketPrintJobParsed } from '../shared/electron-api.ts';
import { FALLBACK_TICKET_HEIGHT_MM, MAX_TICKET_HEIGHT_MM, MIN_TICKET_HEIGHT_MM, ticketHeightMicrons, ticketPrintOptions } from './print-options.ts';
import { formatIssuedAt, REPRINT_MARK, ticketHtml } from './ticket-html.ts';
import { TicketJournal, TicketPrinterService, type PrintPort, type PrintProblem, type RenderedTicket } from './ticket-printer.ts';

const job = (overrides: Partial<TicketPrintJobParsed> = {}): TicketPrintJobParsed =>
  TicketPrintJob.parse({
    ticketId: 't-1',
    number: 'A001',
    hallName: '示范区政务服务中心',
    serviceName: '居民身份证办理',
    peopleAhead: 3,
    issuedAt: Date.UTC(2025, 2, 4, 1, 5),
    timeZone: 'Asia/Shanghai',
    trackingUrl: 'http://192.168.1.10:8080/track/abcdefgh1234',
    notes: ['请留意叫号，过号请到原窗口重新排队'],
    ...overrides,
  });

describe('print options', () => {
  it('80 mm wide in microns, no margins, silent, to the named printer', () => {
    const options = ticketPrintOptions({ name: 'POS-80C', pageSize: 'ticket-80mm' }, 500);
    expect(options).toMatchObject({ silent: true, deviceName: 'POS-80C', margins: { marginType: 'none' }, printBackground: true, landscape: false, copies: 1 });
    expect(options.pageSize).toEqual({ width: 80_000, height: 133_000 });
    expect(options.usePrinterDefaultPageSize).toBeUndefined();
    // Electron switches Chromium's header and footer on when either key is present.
    expect('header' in options || 'footer' in options).toBe(false);
  });

  it("uses the printer's default page size instead when configured, never both", () => {
    const options = ticketPrintOptions({ name: 'EPSON TM-T88V', pageSize: 'printer-default' }, 500);
    expect(options).toMatchObject({ silent: true, deviceName: 'EPSON TM-T88V', usePrinterDefaultPageSize: true, margins: { marginType: 'none' } });
    expect(options.pageSize).toBeUndefined();
  });

  it('the page is as long as the ticket, within sane bounds', () => {
    expect(ticketHeightMicrons(96 * 4)).toBe(102_000); // 4 inches = 101.6 mm, rounded up
    expect(ticketHeightMicrons(10)).toBe(MIN_TICKET_HEIGHT_MM * 1000);
    expect(ticketHeightMicrons(100_000)).toBe(MAX_TICKET_HEIGHT_MM * 1000);
    expect(ticketHeightMicrons(null)).toBe(FALLBACK_TICKET_HEIGHT_MM * 1000);
    expect(ticketHeightMicrons(Number.NaN)).toBe(FALLBACK_TICKET_HEIGHT_MM * 1000);
  });
});

describe('ticket page', () => {
  it('shows the hall, service, large number, people ahead, time in the hall\'s zone, QR code and notes', async () => {
    const html = await ticketHtml({ job: job(), reprint: false, printedAt: Date.UTC(2025, 2, 4, 1, 6) });
    expect(html).toContain('示范区政务服务中心');
    expect(html).toContain('居民身份证办理');
    expect(html).toMatch(/class="number">A001</);
    expect(html).toContain('您前面还有 <b>3</b> 人在等候');
    expect(html).toContain('2025-03-04 09:05');
    expect(html).toMatch(/<svg[^>]*viewBox/);
    expect(html).toContain('<li>请留意叫号，过号请到原窗口重新排队</li>');
    expect(html).toContain('@page { size: 80mm auto; margin: 0; }');
    expect(html).not.toContain(REPRINT_MARK);
    expect(html).not.toMatch(/<script/i);
  });

  it('a reprint is marked 补打 with the time it was reprinted', async () => {
    const html = await ticketHtml({ job: job(), reprint: true, printedAt: Date.UTC(2025, 2, 4, 2, 30) });
    expect(html).toContain(`${REPRINT_MARK} · 2025-03-04 10:30`);
  });

  it('escapes text, so a hostile service name cannot inject markup', async () => {
    const html = await ticketHtml({ job: job({ serviceName: '<img src=x onerror=alert(1)>' }), reprint: false, printedAt: 0 });
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
  });

  it('a print job has no place for an ID number and only http(s) QR targets', () => {
    expect(TicketPrintJob.safeParse({ ...job(), idNumber: '110101199003070011' }).success).toBe(false);
    expect(TicketPrintJob.safeParse({ ...job(), trackingUrl: 'javascript:alert(1)' }).success).toBe(false);
    expect(formatIssuedAt(Date.UTC(2025, 11, 31, 16, 0), 'Asia/Shanghai')).toBe('2026-01-01 00:00');
  });
});

interface FakePrinter {
  port: PrintPort;
  printed: { html: string; options: WebContentsPrintOptions }[];
  closed: number;
}

function fakePort(names: string[], outcome: () => { success: boolean; failureReason: string }): FakePrinter {
  const fake: FakePrinter = {
    printed: [],
    closed: 0,
    port: {
      printerNames: async () => names,
      render: async (html): Promise<RenderedTicket> => ({
        contentHeightPx: 600,
        print: async (options) => {
          fake.printed.push({ html, options });
          return outcome();
        },
        close: () => {
          fake.closed++;
        },
      }),
    },
  };
  return fake;
}

describe('ticket printer', () => {
  it('prints silently to the configured printer and closes the hidden window', async () => {
    const fake = fakePort(['Microsoft Print to PDF', 'POS-80C'], () => ({ success: true, failureReason: '' }));
    const health: (PrintProblem | null)[] = [];
    const service = new TicketPrinterService({ port: fake.port, printer: { name: 'POS-80C', pageSize: 'ticket-80mm' }, now: () => 0, onHealth: (p) => health.push(p), journal: new TicketJournal([]) });
    expect(await service.print(job())).toEqual({ ok: true, data: { ticketId: 't-1', number: 'A001', reprint: false, printer: 'POS-80C' } });
    expect(fake.printed[0]?.options).toMatchObject({ deviceName: 'POS-80C', silent: true, pageSize: { width: 80_000 } });
    expect(fake.closed).toBe(1);
    expect(health).toEqual([]);
  });

  it('a failed print is told to the visitor in words, reported as health, and the ticket can be reprinted marked 补打', async () => {
    let paperOut = true;
    const fake = fakePort(['POS-80C'], () => (paperOut ? { success: false, failureReason: 'Print job failed' } : { success: true, failureReason: '' }));
    const health: (PrintProblem | null)[] = [];
    const persisted: number[] = [];
    const journal = new TicketJournal([], 50, (jobs) => persisted.push(jobs.length));
    const service = new TicketPrinterService({ port: fake.port, printer: { name: 'POS-80C', pageSize: 'ticket-80mm' }, now: () => 0, onHealth: (p) => health.push(p), journal });

    const failed = await service.print(job());
    expect(failed).toMatchObject({ ok: false, error: { code: 'PRINT_FAILED' } });
    if (!failed.ok) expect(failed.error.message).toContain('号码已保留');
    expect(health).toEqual([{ code: 'PRINT_FAILED', message: 'A001 打印失败：Print job failed', ticketNumber: 'A001', printer: 'POS-80C' }]);
    expect(journal.find('t-1')?.number).toBe('A001');
    expect(persisted).toEqual([1]);
    expect(fake.closed).toBe(1);

    paperOut = false;
    expect(await service.reprint('t-1')).toEqual({ ok: true, data: { ticketId: 't-1', number: 'A001', reprint: true, printer: 'POS-80C' } });
    expect(fake.printed[1]?.html).toContain(REPRINT_MARK);
    // the hall sees the printer recover
    expect(health).toEqual([expect.objectContaining({ code: 'PRINT_FAILED' }), null]);
    expect(await service.reprint('unknown')).toMatchObject({ ok: false, error: { code: 'TICKET_UNKNOWN' } });
  });

  it('a missing or unconfigured printer is reported, and the ticket is still kept', async () => {
    const fake = fakePort(['Microsoft Print to PDF'], () => ({ success: true, failureReason: '' }));
    const health: (PrintProblem | null)[] = [];
    const journal = new TicketJournal([]);
    const missing = new TicketPrinterService({ port: fake.port, printer: { name: 'POS-80C', pageSize: 'ticket-80mm' }, now: () => 0, onHealth: (p) => health.push(p), journal });
    expect(await missing.print(job())).toMatchObject({ ok: false, error: { code: 'PRINTER_NOT_FOUND' } });
    const none = new TicketPrinterService({ port: fake.port, printer: null, now: () => 0, onHealth: (p) => health.push(p), journal });
    expect(await none.print(job({ ticketId: 't-2', number: 'A002' }))).toMatchObject({ ok: false, error: { code: 'PRINTER_NOT_CONFIGURED' } });
    expect(health.map((p) => p?.code)).toEqual(['PRINTER_NOT_FOUND', 'PRINTER_NOT_CONFIGURED']);
    expect(journal.all.map((j) => j.number)).toEqual(['A001', 'A002']);
    expect(fake.printed).toEqual([]);
  });

  it('prints one ticket at a time, in order', async () => {
    const order: string[] = [];
    let active = 0;
    let overlapped = false;
    const port: PrintPort = {
      printerNames: async () => ['POS-80C'],
      render: async (html) => ({
        contentHeightPx: null,
        print: async () => {
          active++;
          if (active > 1) overlapped = true;
          await new Promise((resolve) => setImmediate(resolve));
          order.push(/class="number">([A-Z0-9]+)</.exec(html)?.[1] ?? '?');
          active--;
          return { success: true, failureReason: '' };
        },
        close: () => {},
      }),
    };
    const service = new TicketPrinterService({ port, printer: { name: 'POS-80C', pageSize: 'ticket-80mm' }, now: () => 0, onHealth: () => {}, journal: new TicketJournal([]) });
    await Promise.all([service.print(job({ ticketId: 'a', number: 'A001' })), service.print(job({ ticketId: 'b', number: 'A002' })), service.print(job({ ticketId: 'c', number: 'A003' }))]);
    expect(order).toEqual(['A001', 'A002', 'A003']);
    expect(overlapped).toBe(false);
  });

  it('the journal keeps the newest tickets up to its capacity', () => {
    const journal = new TicketJournal([], 2);
    journal.remember(job({ ticketId: 'a' }));
    journal.remember(job({ ticketId: 'b' }));
    journal.remember(job({ ticketId: 'a' }));
    journal.remember(job({ ticketId: 'c' }));
    expect(journal.all.map((j) => j.ticketId)).toEqual(['a', 'c']);
  });
});
