// What the kiosk hands the Electron shell to print: built from the issued ticket and what the screen shows.
// Pure, so that it is unit-tested against the shell's own schema (TicketPrintJob in shared/electron-api.ts).
// There is no ID number anywhere in the input, so none can reach the paper.
import type { TicketPrintJob } from '../../shared/electron-api.ts';
import type { IssuedTicket } from '../../shared/protocol.ts';

/** The tracking page's address for a ticket, printed as the QR code (and shown on screen). */
export function trackingUrlFor(origin: string, trackingToken: string): string {
  return `${origin}/track/?t=${encodeURIComponent(trackingToken)}`;
}

/** The schema's limits: a line of notes, the number of lines, names. */
const NOTE_MAX = 120;
const NOTES_MAX = 6;
const NAME_MAX = 100;

function clip(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}

export interface PrintJobInput {
  ticket: Pick<IssuedTicket, 'id' | 'number' | 'peopleAhead' | 'issuedAt' | 'trackingToken' | 'priority'>;
  /** in the language on screen */
  hallName: string;
  serviceName: string;
  /** the hall's IANA time zone (the issue time is printed in it) */
  timeZone: string;
  /** `location.origin` of the hall server */
  origin: string;
  /** waiting instructions, the no-show rule among them, one line each */
  notes: readonly string[];
}

export function buildPrintJob(input: PrintJobInput): TicketPrintJob {
  const { ticket } = input;
  return {
    ticketId: ticket.id,
    number: ticket.number,
    hallName: clip(input.hallName, NAME_MAX),
    serviceName: clip(input.serviceName, NAME_MAX),
    peopleAhead: ticket.peopleAhead,
    issuedAt: ticket.issuedAt,
    timeZone: input.timeZone,
    trackingUrl: trackingUrlFor(input.origin, ticket.trackingToken),
    notes: input.notes
      .map((line) => clip(line, NOTE_MAX))
      .filter((line) => line.length > 0)
      .slice(0, NOTES_MAX),
    priority: ticket.priority !== null,
  };
}
