// The printed ticket as a self-contained HTML page: 80 mm wide, big number, QR code as inline SVG, no script.
import QRCode from 'qrcode';
import type { TicketPrintJobParsed } from '../shared/electron-api.ts';
import { ticketPagePolicy } from './content-policy.ts';

export const REPRINT_MARK = '补打';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Issue time in the hall's time zone, e.g. 2025-03-04 09:05. */
export function formatIssuedAt(issuedAt: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(issuedAt))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export interface TicketRender {
  job: TicketPrintJobParsed;
  reprint: boolean;
  /** when a reprint was made, shown beside 补打 */
  printedAt: number;
}

export async function ticketHtml({ job, reprint, printedAt }: TicketRender): Promise<string> {
  const qrSvg = await QRCode.toString(job.trackingUrl, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
  const notes = job.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  const reprintLine = reprint
    ? `<div class="reprint">${REPRINT_MARK} · ${escapeHtml(formatIssuedAt(printedAt, job.timeZone))}</div>`
    : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(ticketPagePolicy())}">
<title>${escapeHtml(job.number)}</title>
<style>
  @page { size: 80mm auto; margin: 0; }
  html, body { margin: 0; padding: 0; background: #fff; color: #000; }
  body { width: 80mm; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
  .ticket { box-sizing: border-box; width: 80mm; padding: 3mm 4mm 8mm; text-align: center; }
  .hall { font-size: 4.2mm; font-weight: 700; }
  .service { font-size: 4.6mm; margin-top: 2mm; }
  .number { font-size: 17mm; font-weight: 800; line-height: 1.1; margin: 2mm 0 1mm; letter-spacing: 0.5mm; }
  .priority { display: inline-block; border: 0.4mm solid #000; padding: 0 1.5mm; font-size: 3.6mm; }
  .ahead { font-size: 4.4mm; margin-top: 1mm; }
  .time { font-size: 3.4mm; margin-top: 1mm; }
  .qr { width: 28mm; height: 28mm; margin: 3mm auto 1mm; }
  .qr svg { width: 100%; height: 100%; }
  .qr-note { font-size: 3mm; }
  ul { list-style: none; padding: 0; margin: 2mm 0 0; text-align: left; font-size: 3.2mm; line-height: 1.35; }
  li { border-top: 0.2mm dashed #000; padding-top: 0.8mm; margin-top: 0.8mm; }
  .reprint { margin-top: 2mm; font-size: 4mm; font-weight: 700; border: 0.4mm solid #000; }
</style></head>
<body><div class="ticket" id="ticket">
  <div class="hall">${escapeHtml(job.hallName)}</div>
  <div class="service">${escapeHtml(job.serviceName)}</div>
  <div class="number">${escapeHtml(job.number)}</div>
  ${job.priority ? '<div class="priority">优先</div>' : ''}
  <div class="ahead">您前面还有 <b>${job.peopleAhead}</b> 人在等候</div>
  <div class="time">取号时间 ${escapeHtml(formatIssuedAt(job.issuedAt, job.timeZone))}</div>
  <div class="qr">${qrSvg}</div>
  <div class="qr-note">扫码查看排队进度、评价服务</div>
  ${notes ? `<ul>${notes}</ul>` : ''}
  ${reprintLine}
</div></body></html>`;
}
