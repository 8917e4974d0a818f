// 呼叫帮办 on the dashboard: the kiosks' requests for help of today, kept by the server until a hall
// manager takes one (docs/protocol.md: hall:assists, hall:assist, assist:handle).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TAKEN_ASSISTS_SHOWN, type AssistRequestView } from '../../shared/protocol.ts';
import { formatClock, formatDuration } from '../shared/ui.tsx';

/** The page's list of requests for help with one made, asked again or taken: open ones all, taken ones the TAKEN_ASSISTS_SHOWN latest (as the server sends on connecting). */
export function withRequest(list: AssistRequestView[], request: AssistRequestView): AssistRequestView[] {
  const next = list.some((r) => r.id === request.id) ? list.map((r) => (r.id === request.id ? request : r)) : [...list, request];
  const taken = next.filter((r) => r.handled !== null);
  if (taken.length <= TAKEN_ASSISTS_SHOWN) return next;
  const dropped = new Set(taken.sort((a, b) => a.handled!.at - b.handled!.at).slice(0, taken.length - TAKEN_ASSISTS_SHOWN));
  return next.filter((r) => !dropped.has(r));
}

/**
 * 呼叫帮办: the open requests, the longest waiting first, each with a button to take it; then the latest
 * ones taken, with who took them.
 */
export function AssistPanel({
  requests,
  now,
  timeZone,
  canAct,
  signedIn,
  onHandle,
}: {
  requests: AssistRequestView[];
  /** the server's clock */
  now: number;
  timeZone: string;
  canAct: boolean;
  signedIn: boolean;
  onHandle: (request: AssistRequestView) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [pending, setPending] = useState<string | null>(null);
  const open = requests.filter((r) => r.handled === null);
  // (the list holds TAKEN_ASSISTS_SHOWN of them at most: the server's and withRequest's)
  const taken = requests.filter((r) => r.handled !== null).sort((a, b) => b.handled!.at - a.handled!.at);
  const handle = async (request: AssistRequestView) => {
    setPending(request.id);
    await onHandle(request);
    setPending(null);
  };
  return (
    <section className={`panel manager__assists ${open.length > 0 ? 'manager__assists--open' : ''}`} aria-labelledby="assist-title" data-testid="assist-panel">
      <h2 id="assist-title">{open.length > 0 ? t('manager.assist.titleOpen', { count: open.length }) : t('manager.assist.title')}</h2>
      {open.length === 0 ? (
        <p className="muted">{t('manager.assist.empty')}</p>
      ) : (
        <ul className="manager__list" data-testid="assist-list">
          {open.map((r) => (
            <li key={r.id} className="manager__assist" data-testid={`assist-${r.deviceId}`}>
              <div>
                <time>{formatClock(r.at, timeZone, false)}</time> <b>{r.deviceName}</b> {t(`manager.assist.reasons.${r.reason ?? 'help'}`)}
                <div className="manager__assist-wait">
                  {t('manager.assist.waiting', { duration: formatDuration(Math.max(0, now - r.at)) })}
                  {r.times > 1 && <span className="manager__assist-times"> · {t('manager.assist.times', { count: r.times })}</span>}
                </div>
              </div>
              <button
                type="button"
                className="btn btn--primary"
                disabled={!canAct || pending !== null}
                aria-label={t('manager.assist.takeLabel', { device: r.deviceName })}
                onClick={() => void handle(r)}
              >
                {t('manager.assist.take')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {open.length > 0 && !signedIn && <p className="muted manager__hint">{t('manager.assist.needSignIn')}</p>}
      {taken.length > 0 && (
        <>
          <h3 className="manager__subtitle">{t('manager.assist.takenTitle')}</h3>
          <ul className="manager__list" data-testid="assist-taken">
            {taken.map((r) => (
              <li key={r.id} className="manager__assist manager__assist--taken">
                <time>{formatClock(r.at, timeZone, false)}</time> <b>{r.deviceName}</b>{' '}
                {t('manager.assist.takenBy', { name: r.handled!.staffName, time: formatClock(r.handled!.at, timeZone, false) })}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
