// The options a ticket is printed with: silent, to the named printer, 80 mm wide, no margins.
import type { WebContentsPrintOptions } from 'electron';

export const TICKET_WIDTH_MM = 80;
const MICRONS_PER_MM = 1000;
const MICRONS_PER_CSS_PX = 25_400 / 96;
/** Short tickets still get a tear-off length; long ones are capped so a layout bug cannot spool metres of paper. */
export const MIN_TICKET_HEIGHT_MM = 60;
export const MAX_TICKET_HEIGHT_MM = 300;
/** used when the rendered height could not be measured */
export const FALLBACK_TICKET_HEIGHT_MM = 150;

export interface TicketPrinter {
  name: string;
  pageSize: 'ticket-80mm' | 'printer-default';
}

/** Page height for content `contentHeightPx` CSS pixels tall, in microns, rounded up to whole millimetres. */
export function ticketHeightMicrons(contentHeightPx: number | null): number {
  const mm = contentHeightPx === null || !Number.isFinite(contentHeightPx) || contentHeightPx <= 0
    ? FALLBACK_TICKET_HEIGHT_MM
    : Math.ceil((contentHeightPx * MICRONS_PER_CSS_PX) / MICRONS_PER_MM);
  return Math.min(MAX_TICKET_HEIGHT_MM, Math.max(MIN_TICKET_HEIGHT_MM, mm)) * MICRONS_PER_MM;
}

/**
 * @example ticketPrintOptions({ name: 'POS-80C', pageSize: 'ticket-80mm' }, 500)
 *   // { silent: true, deviceName: 'POS-80C', pageSize: { width: 80000, height: 133000 }, margins: { marginType: 'none' }, ... }
 */
export function ticketPrintOptions(printer: TicketPrinter, contentHeightPx: number | null): WebContentsPrintOptions {
  const common: WebContentsPrintOptions = {
    silent: true,
    deviceName: printer.name,
    printBackground: true,
    color: false,
    landscape: false,
    copies: 1,
    margins: { marginType: 'none' },
    // no header/footer keys: Electron turns Chromium's date/URL header on when either is present
  };
  // Electron cannot combine usePrinterDefaultPageSize with pageSize: exactly one of them is set.
  if (printer.pageSize === 'printer-default') return { ...common, usePrinterDefaultPageSize: true };
  return { ...common, pageSize: { width: TICKET_WIDTH_MM * MICRONS_PER_MM, height: ticketHeightMicrons(contentHeightPx) } };
}
