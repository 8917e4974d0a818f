// The visitor's phone: the ticket's number, status, people ahead and counter, refreshed every 10 seconds.
import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { HallError } from '../../shared/errors.ts';
import { API_PREFIX, type TrackView } from '../../shared/protocol.ts';
import { useLocalised } from '../shared/i18n.ts';
import { formatClock, LanguageSwitch } from '../shared/ui.tsx';

export const TRACK_REFRESH_MS = 10_000;

type Load = { kind: 'loading' } | { kind: 'ok'; view: TrackView; at: number } | { kind: 'not-found' } | { kind: 'failed'; last: TrackView | null; at: number };

export function TrackPage() {
  const { t } = useTranslation();
  const name = useLocalised();
  const token = new URLSearchParams(location.search).get('t');
  const [load, setLoad] = useState<Load>({ kind: 'loading' });

  useEffect(() => {
    if (!token) return;
    let live = true;
    let timer = 0;
    const fetchOnce = async () => {
      try {
        const res = await fetch(`${API_PREFIX}/track/${encodeURIComponent(token)}`, { cache: 'no-store' });
        if (!live) return;
        if (res.status === 404) setLoad({ kind: 'not-found' });
        else if (!res.ok) {
          const body = (await res.json().catch(() => null)) as { error?: HallError } | null;
          throw new Error(body?.error?.code ?? String(res.status));
        } else setLoad({ kind: 'ok', view: (await res.json()) as TrackView, at: Date.now() });
      } catch {
        if (live) setLoad((l) => ({ kind: 'failed', last: l.kind === 'ok' ? l.view : l.kind === 'failed' ? l.last : null, at: Date.now() }));
      }
      if (live) timer = window.setTimeout(() => void fetchOnce(), TRACK_REFRESH_MS);
    };
    void fetchOnce();
    const onVisible = () => {
      if (document.visibilityState === 'visible') {
        window.clearTimeout(timer);
        void fetchOnce();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      live = false;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [token]);

  useEffect(() => {
    document.title = t('track.title');
  }, [t]);

  const view = load.kind === 'ok' ? load.view : load.kind === 'failed' ? load.last : null;
  return (
    <div className="track">
      <header className="track__head">
        <h1>{t('track.title')}</h1>
        <LanguageSwitch />
      </header>
      <main className="track__body">
        {!token && <p className="track__message">{t('track.missing')}</p>}
        {token && load.kind === 'not-found' && <p className="track__message">{t('track.notFound')}</p>}
        {token && load.kind === 'failed' && (
          <p className="track__message track__message--warn" role="status">
            {t('track.loadFailed')}
          </p>
        )}
        {view && (
          <section className={`track__card track__card--${view.status}`} aria-live="polite">
            <p className="track__label">{t('track.number')}</p>
            <p className="track__number" data-testid="track-number">
              {view.number}
            </p>
            <p className="track__service">{name(view.serviceName)}</p>
            <p className="track__status" data-testid="track-status">
              {t(`track.status.${view.status}`)}
            </p>
            {view.peopleAhead !== null && (
              <p className="track__ahead" data-testid="track-ahead">
                <Trans i18nKey="track.aheadLine" values={{ count: view.peopleAhead }} components={{ b: <b /> }} />
              </p>
            )}
            {view.counter && <p className="track__counter">{t('track.goTo', { number: view.counter.number, name: view.counter.name })}</p>}
          </section>
        )}
        {(load.kind === 'ok' || load.kind === 'failed') && (
          <p className="track__updated" data-testid="track-updated">
            {/* the hall's zone, like every clock in the hall (the phone's own before the first answer) */}
            {t('track.updated', { time: formatClock(load.at, view?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone) })}
          </p>
        )}
      </main>
    </div>
  );
}
