// 今日概况: the business day's figures on the dashboard (GET /api/v1/figures/today, manager devices
// only), asked again shortly after the hall changes (so they agree with the counters and queues beside
// them) and every few seconds anyway (the waits grow by themselves). Each figure says what it counts:
// the ticket counts add up to the tickets issued today, and the means name their formula.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_PREFIX, type TodayFiguresView } from '../../shared/protocol.ts';
import { formatDuration } from '../shared/ui.tsx';

/** how often the figures are asked for when nothing changes */
export const FIGURES_REFRESH_MS = 5_000;
/** after a change in the hall, how long to wait for more before asking (a busy hall changes many times a second) */
const AFTER_CHANGE_MS = 300;

const PARTS = ['waiting', 'called', 'serving', 'suspended', 'completed', 'noShow', 'cancelled'] as const;

export function TodayPanel({ token, online, seq }: { token: string; online: boolean; /** the hall's seq as the page knows it */ seq: number | null }) {
  const { t } = useTranslation();
  const [figures, setFigures] = useState<TodayFiguresView | null>(null);
  const [failed, setFailed] = useState(false);
  /** asks again soon (set while online) */
  const soon = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (!online) return;
    let live = true;
    let timer = 0;
    let inFlight = false;
    /** the hall changed while a request was on its way: its answer may predate the change */
    let changedMeanwhile = false;
    const schedule = (ms: number) => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void fetchOnce(), ms);
    };
    soon.current = () => {
      if (inFlight) changedMeanwhile = true;
      else schedule(AFTER_CHANGE_MS);
    };
    const fetchOnce = async () => {
      inFlight = true;
      try {
        const res = await fetch(`${API_PREFIX}/figures/today`, { cache: 'no-store', headers: { authorization: `Bearer ${token}` } });
        if (!res.ok) throw new Error(String(res.status));
        const view = (await res.json()) as TodayFiguresView;
        if (live) {
          setFigures(view);
          setFailed(false);
        }
      } catch {
        if (live) setFailed(true);
      }
      inFlight = false;
      if (live) schedule(changedMeanwhile ? AFTER_CHANGE_MS : FIGURES_REFRESH_MS);
      changedMeanwhile = false;
    };
    void fetchOnce();
    return () => {
      live = false;
      soon.current = null;
      window.clearTimeout(timer);
    };
  }, [token, online]);
  // the hall changed: the counts beside these have moved
  useEffect(() => {
    if (seq !== null) soon.current?.();
  }, [seq]);

  const minutes = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
  return (
    <section className="panel" aria-labelledby="today-title" data-testid="today-panel">
      <h2 id="today-title">{t('manager.today.title')}</h2>
      {!figures ? (
        <p className="muted">{failed ? t('manager.today.failed') : t('manager.today.loading')}</p>
      ) : (
        <>
          <p className="manager__today-issued">
            {t('manager.today.issued', { count: figures.tickets.issued })}
            {failed && <span className="muted"> {t('manager.today.stale')}</span>}
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
