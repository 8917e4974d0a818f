// The shell's own pages, served from hall-shell://app: first-run setup, "connecting to the server", "out of order",
// and rendered tickets waiting to be printed. Static text: nothing here is built from a visitor's input except
// the ticket page, which ticket-html.ts escapes.
import { contentType } from './content-type.ts';
import { shellPagePolicy, ticketPagePolicy } from './content-policy.ts';
import { SHELL_ORIGIN } from './guards.ts';
import { SETUP_PAGE_HTML, SETUP_PAGE_SCRIPT } from './setup-page.ts';

export const OFFLINE_PAGE_URL = `${SHELL_ORIGIN}/offline.html`;
export const FAULT_PAGE_URL = `${SHELL_ORIGIN}/fault.html`;
export const ticketPageUrl = (key: string) => `${SHELL_ORIGIN}/ticket/${encodeURIComponent(key)}.html`;

const STATUS_STYLE = `<style>
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 3vh;
         background: #0b3d91; color: #fff; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; text-align: center;
         user-select: none; cursor: default; }
  h1 { font-size: 6vh; margin: 0; } p { font-size: 3vh; margin: 0; opacity: .9; }
</style>`;

function statusPage(title: string, lines: string[]): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title>${STATUS_STYLE}</head>
<body><h1>${title}</h1>${lines.map((l) => `<p>${l}</p>`).join('')}</body></html>`;
}

const STATIC_PAGES: Record<string, string> = {
  '/setup.html': SETUP_PAGE_HTML,
  '/setup.js': SETUP_PAGE_SCRIPT,
  '/offline.html': statusPage('正在连接大厅服务器…', ['网络恢复后将自动继续，无需操作', 'Connecting to the hall server; this screen resumes by itself']),
  '/fault.html': statusPage('设备暂停使用', ['本机出现故障，请到其他设备或窗口办理，或联系工作人员', 'This machine is out of order; please ask staff']),
};

export interface ShellResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Answers a hall-shell://app request; tickets are looked up in the in-memory map the printer fills. */
export function shellResponse(url: string, tickets: ReadonlyMap<string, string>): ShellResponse {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return notFound();
  }
  if (`${u.protocol}//${u.host}` !== SHELL_ORIGIN) return notFound();
  const ticket = /^\/ticket\/([^/]+)\.html$/.exec(u.pathname);
  if (ticket?.[1]) {
    const html = tickets.get(decodeURIComponent(ticket[1]));
    return html === undefined ? notFound() : page(html, 'text/html', ticketPagePolicy());
  }
  const body = STATIC_PAGES[u.pathname];
  return body === undefined ? notFound() : page(body, contentType(u.pathname), shellPagePolicy());
}

function page(body: string, type: string, csp: string): ShellResponse {
  return {
    status: 200,
    headers: { 'content-type': `${type}; charset=utf-8`, 'content-security-policy': csp, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body,
  };
}

function notFound(): ShellResponse {
  return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found' };
}
