// The issued ticket: large number, service, people ahead, estimated wait, QR code to the tracking page;
// inside the Electron shell also how printing went, with 补打 when it failed.
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ShellError } from '../../shared/electron-api.ts';
import type { IssuedTicket, ServiceView } from '../../shared/protocol.ts';
import { currentLanguage, useLocalised } from '../shared/i18n.ts';
import { shellMessage } from '../shared/shell.ts';
import { trackingUrlFor } from './print-job.ts';

export function trackingUrl(trackingToken: string): string {
  return trackingUrlFor(location.origin, trackingToken);
}

/** The shell's printing of this ticket; `none` in a browser or on a kiosk without a printer. */
export type PrintState =
  | { kind: 'none' }
  | { kind: 'printing' }
  | { kind: 'printed' }
  | { kind: 'failed'; error: ShellError }
  | { kind: 'reprinting' }
  | { kind: 'reprinted' };

function PrintStatus({ state, number, onReprint }: { state: PrintState; number: string; onReprint: () => void }) {
  const { t } = useTranslation();
  switch (state.kind) {
    case 'none':
      return null;
    case 'printing':
    case 'printed':
    case 'reprinting':
    case 'reprinted':
      return (
        <p className="notice ticket__print" role="status" data-testid="print-status" data-print={state.kind}>
          {t(`kiosk.print.${state.kind}`)}
        </p>
      );
    case 'failed':
      return (
        <div className="notice notice--error ticket__print" role="alert" data-testid="print-status" data-print="failed">
          <span>{t('kiosk.print.failed', { reason: shellMessage(state.error, currentLanguage()), number })}</span>
          <button type="button" className="btn btn--light" onClick={onReprint}>
            {t('kiosk.print.reprint')}
          </button>
        </div>
      );
  }
}

function useQrCode(text: string): string | null {
  const [dataUrl, setDataUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 1, width: 360, color: { dark: '#0b1f4d', light: '#ffffff' } })
      .then((url) => live && setDataUrl(url))
      .catch(() => live && setDataUrl(null));
    return () => {
      live = false;
    };
  }, [text]);
  return dataUrl;
}

export function TicketScreen({
  ticket,
  service,
  secondsLeft,
  onDone,
  print = { kind: 'none' },
  onReprint = () => {},
}: {
  ticket: IssuedTicket;
  service: ServiceView | undefined;
  secondsLeft: number;
  onDone: () => void;
  print?: PrintState;
  onReprint?: () => void;
}) {
  const { t } = useTranslation();
  const name = useLocalised();
  const url = trackingUrl(ticket.trackingToken);
  const qr = useQrCode(url);
  const instructions = t('kiosk.ticket.instructions', { returnObjects: true }) as unknown as string[];
  return (
    <section className="ticket" aria-labelledby="ticket-title">
      <h2 id="ticket-title" className="ticket__title">
        <span className="ticket__check" aria-hidden="true">✓</span>
        {t('kiosk.ticket.title')}
      </h2>
      <PrintStatus state={print} number={ticket.number} onReprint={onReprint} />
      <div className="ticket__card">
        <div className="ticket__main">
          <p className="ticket__label">{t('kiosk.ticket.yourNumber')}</p>
          <p className="ticket__number" data-testid="ticket-number">
            {ticket.number}
          </p>
          {ticket.priority && <p className="badge badge--priority">{t('kiosk.ticket.priorityBadge')} · {t(`common.priority.${ticket.priority}`)}</p>}
          <dl className="ticket__facts">
            <div>
              <dt>{t('kiosk.ticket.service')}</dt>
              <dd data-testid="ticket-service">{name(service?.names)}</dd>
            </div>
            <div>
              <dt>{t('kiosk.ticket.ahead')}</dt>
              <dd data-testid="ticket-ahead">{t('kiosk.ticket.aheadCount', { count: ticket.peopleAhead })}</dd>
            </div>
            <div>
              <dt>{t('kiosk.ticket.estimate')}</dt>
              <dd>
                {ticket.estimatedWaitMinutes === null
                  ? t('kiosk.ticket.noEstimate')
                  : t('kiosk.ticket.estimateValue', { count: Math.max(1, ticket.estimatedWaitMinutes) })}
              </dd>
            </div>
          </dl>
        </div>
        <figure className="ticket__qr">
          {qr ? <img src={qr} alt={t('kiosk.ticket.qrLabel')} data-tracking-url={url} /> : <div className="ticket__qr-placeholder" />}
          <figcaption>{t('kiosk.ticket.scan')}</figcaption>
        </figure>
      </div>
      <div className="ticket__notes">
        <h3>{t('kiosk.ticket.instructionsTitle')}</h3>
        <ol>
          {instructions.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ol>
      </div>
      <div className="ticket__footer">
        <p className="ticket__countdown" aria-live="off">
          {t('kiosk.ticket.returnIn', { count: secondsLeft })}
        </p>
        <button type="button" className="btn btn--primary btn--large" onClick={onDone}>
          {t('kiosk.ticket.done')}
        </button>
      </div>
    </section>
  );
}
