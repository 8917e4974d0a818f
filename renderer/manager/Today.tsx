// 今日概况: the business day's figures on the dashboard (GET /api/v1/figures/today, manager devices
// only), asked again shortly after the hall changes (so they agree with the counters and queues beside
// them) and every few seconds anyway (the waits grow by themselves). Each figure says what it counts:
// the ticket counts add up to the tickets issued today, and the means name their formula.
import { useEffect, useRef, useState } from 'react';
import { refreshSchedule, type RefreshSchedule } from './refresh-schedule.ts';
import { useTranslation } from 'react-i18next';
import { API_PREFIX, type TodayFiguresView } from '../../shared/protocol.ts';
import { formatDuration } from '../shared/ui.tsx';

/** how often the figures are asked for when nothing changes */
const FIGURES_REFRESH_MS = 5_000;
/** after a change in the hall, how soon to ask (changes only bring the next request forward: refresh-schedule.ts) */
const AFTER_CHANGE_MS = 300;
/** a request not answered by then is given up (the next one is scheduled as usual) */
const REQUEST_TIMEOUT_MS = 4_000;

const PARTS = ['waiting', 'called', 'serving', 'suspended', 'completed', 'noShow', 'cancelled'] as const;

export function TodayPanel({ token, online, seq }: { token: string; online: boolean; /** the hall's seq as the page knows it */ seq: number | null }) {
  const { t } = useTranslation();
  const [figures, setFigures] = useState<TodayFiguresView | null>(null);
  const [failed, setFailed] = useState(false);
  /** the requests' schedule while online */
  const schedule = useRef<RefreshSchedule | null>(null);

  useEffect(() => {
    if (!online) return;
    let live = true;
    const fetchOnce = async () => {
      try {
        const res = await fetch(`${API_PREFIX}/figures/today`, {
          cache: 'no-store',
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(String(res.status));
        const view = (await res.json()) as TodayFiguresView;
        if (live) {
          setFigures(view);
          setFailed(false);
        }
      } catch {
        if (live) setFailed(true);
      }
    };
    schedule.current = refreshSchedule(fetchOnce, FIGURES_REFRESH_MS, AFTER_CHANGE_MS);
    return () => {
      live = false;
      schedule.current?.stop();
      schedule.current = null;
    };
  }, [token, online]);
  // the hall changed: the counts beside these have moved
  useEffect(() => {
    if (seq !== null) schedule.current?.changed();
  }, [seq]);

  const minutes = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
  return (
    <section className="panel" aria-labelledby="today-title" data-testid="today-panel">
      {/* with the business day: while the previous day could not be closed, the server is still on it */}
      <h2 id="today-title">{figures ? t('manager.today.titleOn', { date: figures.businessDate }) : t('manager.today.title')}</h2>
      {!figures ? (
        <p className="muted">{failed ? t('manager.today.failed') : t('manager.today.loading')}</p>
      ) : (
        <>
          <p className="manager__today-issued">
            {t('manager.today.issued', { count: figures.tickets.issued })}
            {(failed || !online) && <span className="muted"> {t('manager.today.stale')}</span>}
          </p>
          <ul className="manager__today-parts" data-testid="today-parts">
            {PARTS.map((part) => (
              <li key={part}>
                <span>{t(`manager.today.parts.${part}`)}</span> <b>{figures.tickets[part]}</b>
              </li>
            ))}
          </ul>
          <dl className="manager__today-means">
            <div>
              <dt>{t('manager.today.meanWait')}</dt>
              <dd data-testid="today-mean-wait">{minutes(figures.meanWaitMs)}</dd>
            </div>
            <div>
              <dt>{t('manager.today.longestWaiting')}</dt>
              <dd>{minutes(figures.longestWaitingMs)}</dd>
            </div>
            <div>
              <dt>{t('manager.today.meanHandling')}</dt>
              <dd>{minutes(figures.meanHandlingMs)}</dd>
            </div>
          </dl>
          <p className="muted manager__today-formulas">{t('manager.today.formulas', { called: figures.calledOnce, completed: figures.tickets.completed })}</p>
        </>
      )}
    </section>
  );
}
