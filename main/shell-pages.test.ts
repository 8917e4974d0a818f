import { describe, expect, it } from 'vitest';
import { SETUP_PAGE_URL } from './guards.ts';
import { OFFLINE_PAGE_URL, shellResponse, ticketPageUrl } from './shell-pages.ts';

describe('shell pages', () => {
  it('serves the setup page and its script with a policy that allows no connections', () => {
    const page = shellResponse(SETUP_PAGE_URL, new Map());
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("connect-src 'none'");
    expect(page.body).toContain('<script src="setup.js"></script>');
    const script = shellResponse('hall-shell://app/setup.js', new Map());
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('window.hallSetup');
    expect(shellResponse(OFFLINE_PAGE_URL, new Map()).body).toContain('正在连接大厅服务器');
  });

  it('serves a rendered ticket only while it is waiting to print, with a no-script policy', () => {
    const tickets = new Map([['k1', '<p>A001</p>']]);
    const ticket = shellResponse(ticketPageUrl('k1'), tickets);
    expect(ticket).toMatchObject({ status: 200, body: '<p>A001</p>' });
    expect(ticket.headers['content-security-policy']).not.toContain('script-src');
    expect(shellResponse(ticketPageUrl('k2'), tickets).status).toBe(404);
  });

  it('answers 404 for anything else, other hosts included', () => {
    for (const url of ['hall-shell://app/../../etc/passwd', 'hall-shell://app/main.js', 'hall-shell://other/setup.html', 'nonsense']) {
      expect(shellResponse(url, new Map()).status, url).toBe(404);
    }
  });
});
