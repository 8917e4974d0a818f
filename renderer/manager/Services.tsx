// The dashboard's services: how many wait for each, whether the kiosks issue for it, and (a hall manager
// signed in) 暂停取号 / 恢复取号: stopping the kiosks issuing for a service whose system is down or whose
// capacity for the day is reached. Visitors already waiting are still called; a pause ends at the close
// of the day at the latest (docs/protocol.md, service:pause-issuing).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CounterPublicView, ServiceView } from '../../shared/protocol.ts';
import type { ClientError } from '../shared/connection.ts';
import { useLocalised } from '../shared/i18n.ts';
import { ReasonDialog } from '../shared/ReasonDialog.tsx';
import { ErrorLine } from '../shared/ui.tsx';

export function ServicesPanel({
  services,
  counters,
  canAct,
  signedIn,
  onPause,
  onResume,
}: {
  services: ServiceView[];
  /** to say how many counters with a clerk signed in call for each service (where a 潮汐窗口 would help) */
  counters: CounterPublicView[];
  canAct: boolean;
  /** a manager is signed in on the page (canAct may be false meanwhile, e.g. while resuming after a reconnect) */
  signedIn: boolean;
  onPause: (service: ServiceView, reason: string) => Promise<ClientError | null>;
  onResume: (service: ServiceView) => Promise<ClientError | null>;
}) {
  const { t } = useTranslation();
  const name = useLocalised();
  const [pausing, setPausing] = useState<ServiceView | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const waitingTotal = services.reduce((sum, s) => sum + s.waiting, 0);
  const open = new Map<string, number>();
  for (const c of counters) if (c.status !== 'signed_out') for (const id of c.serviceIds) open.set(id, (open.get(id) ?? 0) + 1);
  // the dialog acts for the manager signed in when it opened: it goes with their sign-in; and it is done
  // once the service is paused, by this manager (an answer lost on the way) or another
  const pausedNow = pausing !== null && services.find((s) => s.id === pausing.id)?.availability.reason === 'ISSUING_PAUSED';
  useEffect(() => {
    if (!signedIn || pausedNow) setPausing(null);
  }, [signedIn, pausedNow]);
  const act = async (command: () => Promise<ClientError | null>) => {
    setPending(true);
    const refused = await command();
    setPending(false);
    return refused;
  };
  return (
    <section className="panel" aria-labelledby="queue-title">
      <h2 id="queue-title">{t('manager.queue.title', { count: waitingTotal })}</h2>
      <ul className="manager__list" data-testid="service-list">
        {services.map((s) => {
          const a = s.availability;
          const paused = a.reason === 'ISSUING_PAUSED';
          const serviceName = `${s.prefix} · ${name(s.names)}`;
          return (
            <li key={s.id} className="manager__service" data-testid={`service-${s.id}`}>
              <span>
                {serviceName}
                {!a.issuing && (
                  <span className="manager__issuing">
                    {paused ? t('manager.queue.paused', { reason: a.pauseReason ?? '' }) : t(`kiosk.availability.${a.reason ?? 'SERVICE_INACTIVE'}`)}
                  </span>
                )}
              </span>
              <span className="manager__service-side">
                <b>{t('common.people', { count: s.waiting })}</b>
                <span className={`manager__open ${s.waiting > 0 && !open.get(s.id) ? 'manager__open--none' : ''}`} data-testid={`open-${s.id}`}>
                  {t('manager.queue.open', { count: open.get(s.id) ?? 0 })}
                </span>
                {paused ? (
                  <button
                    type="button"
                    className="btn btn--secondary"
                    disabled={!canAct || pending}
                    aria-label={t('manager.queue.resumeLabel', { service: serviceName })}
                    onClick={() => void act(() => onResume(s))}
                  >
                    {t('manager.queue.resume')}
                  </button>
                ) : (
                  a.reason !== 'SERVICE_INACTIVE' && (
                    <button
                      type="button"
                      className="btn btn--ghost"
                      disabled={!canAct || pending}
                      aria-label={t('manager.queue.pauseLabel', { service: serviceName })}
                      onClick={() => {
                        setError(null);
                        setPausing(s);
                      }}
                    >
                      {t('manager.queue.pause')}
                    </button>
                  )
                )}
              </span>
            </li>
          );
        })}
      </ul>
      {pausing && (
        <ReasonDialog
          title={t('manager.queue.pauseTitle', { service: name(pausing.names) })}
          reasons={t('manager.queue.reasons', { returnObjects: true }) as unknown as string[]}
          otherTitle={t('manager.queue.otherReason')}
          otherLabel={t('manager.queue.otherReasonLabel')}
          disabled={!canAct || pending}
          onClose={() => setPausing(null)}
          onChoose={async (reason) => {
            const refused = await act(() => onPause(pausing, reason));
            setError(refused);
            if (!refused) setPausing(null);
          }}
        >
          <p className="muted manager__pause-intro">{t('manager.queue.pauseIntro')}</p>
          <ErrorLine error={error} text={error?.code === 'VALIDATION_FAILED' ? t('manager.queue.badReason') : undefined} />
        </ReasonDialog>
      )}
    </section>
  );
}
