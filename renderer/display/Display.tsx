// 综合屏: the latest call large, recent calls, waiting per service, a scrolling notice, the time; and the voice.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { CallView, CounterPublicView } from '../../shared/protocol.ts';
import { announcementUtterances, DEFAULT_REPEAT, DEFAULT_TEMPLATE } from '../shared/announce.ts';
import { useHallConnection } from '../shared/connection.ts';
import { inArea } from '../shared/hall-model.ts';
import { currentLanguage, useLocalised } from '../shared/i18n.ts';
import { Announcer } from '../shared/speech.ts';
import { Clock, ConnectionBadge, DeviceGate, formatClock, formatDate, RefusedBanner, useNow } from '../shared/ui.tsx';
import { PagedTable } from './PagedTable.tsx';
import { readPageSeconds, readRecentRows } from './paging.ts';

interface DisplaySettings {
  area: string | null;
  silent: boolean;
  repeat: number;
  template: string;
  /** at most this many recent calls on a page (`?rows=`, default 8); fewer when fewer fit */
  rows: number;
  /** seconds each page of a paged table stays (`?pageSeconds=`, default 8) */
  pageSeconds: number;
}

function readSettings(): DisplaySettings {
  const q = new URLSearchParams(location.search);
  const repeat = Number(q.get('repeat'));
  return {
    area: q.get('area')?.trim() || null,
    silent: q.get('silent') === '1',
    repeat: Number.isInteger(repeat) && repeat >= 1 && repeat <= 5 ? repeat : DEFAULT_REPEAT,
    template: q.get('template')?.includes('{number}') ? q.get('template')! : DEFAULT_TEMPLATE,
    rows: readRecentRows(q.get('rows')),
    pageSeconds: readPageSeconds(q.get('pageSeconds')),
  };
}

export function DisplayPage() {
  return <DeviceGate role="display">{(device) => <HallDisplay token={device.token} onRepair={device.onRepair} />}</DeviceGate>;
}

const FLASH_MS = 4_000;

function HallDisplay({ token, onRepair }: { token: string; onRepair: (() => void) | null }) {
  const { t } = useTranslation();
  const name = useLocalised();
  const settings = useMemo(readSettings, []);
  const announcer = useMemo(() => new Announcer(), []);
  const [silent, setSilent] = useState(settings.silent);
  const [flash, setFlash] = useState<{ key: number; at: number } | null>(null);
  const [audioBlocked, setAudioBlocked] = useState(false);

  useEffect(() => {
    announcer.silent = silent;
  }, [announcer, silent]);

  // A call is announced only when its counter is on this display (server area and ?area= both apply).
  const visibleRef = useRef<Set<string>>(new Set());
  const onCall = useCallback(
    (call: CallView) => {
      if (!visibleRef.current.has(call.counter.id)) return;
      setFlash((f) => ({ key: (f?.key ?? 0) + 1, at: Date.now() }));
      announcer.enqueue({ utterances: announcementUtterances(call, settings), lang: 'zh-CN', chime: true });
      setAudioBlocked(announcer.audioBlocked);
    },
    [announcer, settings],
  );

  const connection = useHallConnection({ namespace: '/display', token, onCall });
  const snapshot = connection.model?.snapshot ?? null;
  const counters = useMemo(() => inArea(snapshot?.counters ?? [], settings.area), [snapshot?.counters, settings.area]);
  const visible = useMemo(() => new Set(counters.map((c) => c.id)), [counters]);
  visibleRef.current = visible;

  const now = useNow(1_000);
  const flashing = flash !== null && now - flash.at < FLASH_MS;
  const calls = (snapshot?.recentCalls ?? []).filter((c) => visible.has(c.counter.id));
  const latest = calls[0] ?? null;
  const timeZone = snapshot?.hall.timeZone ?? 'Asia/Shanghai';
  const offset = connection.model?.clockOffsetMs ?? 0;
  const servedHere = new Set(counters.flatMap((c) => c.serviceIds));
  const services = (snapshot?.services ?? []).filter((s) => settings.area === null || servedHere.has(s.id));

  useEffect(() => {
    document.title = `${t('display.title')} · ${name(snapshot?.hall.name)}`;
  }, [t, name, snapshot?.hall.name]);

  return (
    <div
      className={`display ${flashing ? 'display--flash' : ''}`}
      onClick={() => {
        announcer.unlock();
        setAudioBlocked(false);
      }}
    >
      <header className="masthead display__masthead">
        <div className="masthead__emblem" aria-hidden="true">
          政
        </div>
        <div className="masthead__titles">
          <h1>{name(snapshot?.hall.name) || t('common.appName')}</h1>
          <p>
            {t('display.title')}
            {settings.area ? ` · ${t('display.area', { area: settings.area })}` : ''}
          </p>
        </div>
        <div className="display__status">
          <ConnectionBadge status={connection.status} />
          <button type="button" className="btn btn--toggle" aria-pressed={silent} onClick={() => setSilent((v) => !v)}>
            {silent ? t('display.silent') : t('display.soundOn')}
          </button>
          {audioBlocked && !silent && (
            <button type="button" className="btn btn--toggle" onClick={() => announcer.unlock()}>
              {t('display.enableSound')}
            </button>
          )}
        </div>
        <div className="masthead__time">
          <Clock timeZone={timeZone} offsetMs={offset} />
          <span className="masthead__date">{formatDate(now + offset, timeZone, currentLanguage())}</span>
        </div>
      </header>
      <RefusedBanner refusal={connection.status === 'refused' ? connection.refusal : null} onRepair={onRepair} />

      <main className="display__body">
        <section className="hero" aria-labelledby="hero-title" aria-live="assertive" data-testid="latest-call">
          <h2 id="hero-title" className="hero__label">
            {t('display.nowCalling')}
            {latest?.recall && <span className="hero__recall">{t('display.recall')}</span>}
          </h2>
          {latest ? (
            <p key={flash?.key ?? 0} className={`hero__text ${flashing ? 'hero__text--flash' : ''}`}>
              <Trans
                i18nKey="display.call"
                values={{ number: latest.ticket.number, counter: latest.counter.number }}
                components={{ num: <b className="hero__number" />, ctr: <b className="hero__counter" /> }}
              />
            </p>
          ) : (
            <p className="hero__empty">{t('display.noCalls')}</p>
          )}
        </section>

        <section className="recent" aria-labelledby="recent-title">
          <PagedTable
            titleId="recent-title"
            title={t('display.recentCalls')}
            tableClassName="recent__table"
            testId="recent-calls"
            columns={
              <>
                <col />
                <col className="recent__col-counter" />
                <col className="recent__col-time" />
              </>
            }
            head={
              <>
                <th scope="col">{t('display.ticket')}</th>
                <th scope="col">{t('display.counter')}</th>
                <th scope="col">{t('display.time')}</th>
              </>
            }
            rows={calls}
            rowKey={(c) => c.ticket.id}
            renderRow={(c, i, measuring) => (
              <tr className={i === 0 && !measuring ? 'recent__row--latest' : undefined} data-ticket={measuring ? undefined : c.ticket.number}>
                <td className="recent__number">
                  {c.ticket.number}
                  {c.recall && <span className="recent__recall">{t('display.recall')}</span>}
                </td>
                <td>{t('common.counterNumber', { number: c.counter.number })}</td>
                <td className="recent__time">{formatClock(c.at, timeZone, false)}</td>
              </tr>
            )}
            maxRows={settings.rows}
            pageSeconds={settings.pageSeconds}
            resetKey={latest ? `${latest.ticket.id}@${latest.at}` : ''}
            reserve
          />
        </section>

        <section className="waiting" aria-labelledby="waiting-title">
          <PagedTable
            titleId="waiting-title"
            title={t('display.waitingTitle')}
            tableClassName="waiting__table"
            testId="waiting-table"
            columns={
              <>
                <col />
                <col className="waiting__col-count" />
              </>
            }
            head={
              <>
                <th scope="col">{t('display.service')}</th>
                <th scope="col" className="waiting__count-head">
                  {t('display.waiting')}
                </th>
              </>
            }
            rows={services}
            rowKey={(s) => s.id}
            renderRow={(s, _i, measuring) => (
              <tr data-service={measuring ? undefined : s.id}>
                <td className="waiting__name">
                  <span className="waiting__prefix">{s.prefix}</span>
                  {name(s.names)}
                </td>
                <td className="waiting__count">{s.waiting}</td>
              </tr>
            )}
            maxRows={null}
            pageSeconds={settings.pageSeconds}
            resetKey=""
          />
        </section>

        <CounterStrip counters={counters} />
      </main>

      <footer className="ticker" aria-label={snapshot?.hall.notice ?? ''}>
        <div className="ticker__track" aria-hidden="true">
          <span>{snapshot?.hall.notice ?? ''}</span>
          <span>{snapshot?.hall.notice ?? ''}</span>
        </div>
      </footer>
    </div>
  );
}

function CounterStrip({ counters }: { counters: CounterPublicView[] }) {
  const { t } = useTranslation();
  return (
    <section className="strip" aria-label={t('display.counters')}>
      {counters.map((c) => (
        <div key={c.id} className={`strip__item strip__item--${c.status}`} data-counter={c.number}>
          <span className="strip__number">{c.number}</span>
          <span className="strip__state">{c.status === 'calling' || c.status === 'serving' ? (c.current?.number ?? '') : c.status === 'signed_out' ? t('display.closed') : t(`counter.status.${c.status}`)}</span>
        </div>
      ))}
    </section>
  );
}
