// Kiosk tap → ticket number on screen, in the system Chromium against a real hall server (loopback, port 0).
// Measured inside the page with performance.now(): from the click on 确认取号 to the first animation frame
// after the ticket number is in the DOM, so Playwright's own round trips are not counted.
import { ensurePagesBuilt, launchChromium, openScreen, startTestServer } from '../test/e2e/harness.ts';

export interface KioskTapResult {
  p50: number;
  p95: number;
  samples: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

export async function benchKioskTap(opts: { samples: number }): Promise<KioskTapResult> {
  await ensurePagesBuilt();
  const hall = await startTestServer();
  const browser = await launchChromium();
  try {
    const { page } = await openScreen(browser, hall.server.url, {
      role: 'kiosk',
      token: 'demo-kiosk-1',
      path: '/kiosk/',
      viewport: { width: 1080, height: 1920 },
      touch: true,
    });
    await page.getByRole('status', { name: /已连接/ }).waitFor({ timeout: 15_000 });
    const times: number[] = [];
    // One warm-up round so the first sample does not pay for lazy work (fonts, QR encoder).
    for (let i = 0; i <= opts.samples; i++) {
      await page.getByRole('tab', { name: /综合咨询与领证/ }).click();
      await page.locator('[data-service="consult"]').click();
      await page.getByTestId('take-ticket').waitFor();
      const ms = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const button = document.querySelector<HTMLButtonElement>('[data-testid="take-ticket"]')!;
            const t0 = performance.now();
            const observer = new MutationObserver(() => {
              if (!document.querySelector('[data-testid="ticket-number"]')) return;
              observer.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - t0));
            });
            observer.observe(document.body, { childList: true, subtree: true });
            button.click();
          }),
      );
      if (i > 0) times.push(ms);
      await page.getByRole('button', { name: '完成，返回首页' }).click();
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p95: percentile(times, 95), samples: times.length };
  } finally {
    await browser.close();
    await hall.dispose();
  }
}

if (import.meta.main) {
  const samples = Number(process.argv[2] ?? 30);
  const r = await benchKioskTap({ samples });
  process.stdout.write(`kiosk tap → ticket shown: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (n=${r.samples})\n`);
}
