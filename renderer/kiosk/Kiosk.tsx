// 取号机: categories → service → (ID keypad) → ticket. Touch first; keyboard works too.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { AssistHandledMessage, IssuedTicket, PriorityKind, ServiceView } from '../../shared/protocol.ts';
import { sendCommand, useHallConnection, type ClientError } from '../shared/connection.ts';
import { useLocalised, currentLanguage } from '../shared/i18n.ts';
import { randomKey } from '../shared/ids.ts';
import { shellCall } from '../shared/shell.ts';
import { Announcer } from '../shared/speech.ts';
import { Clock, ConnectionBadge, DeviceGate, LanguageSwitch, RefusedBanner, formatDate, useNow, type PairedDevice } from '../shared/ui.tsx';
import { checkTypedId, IdKeypad } from './IdKeypad.tsx';
import { buildPrintJob } from './print-job.ts';
import { TicketScreen, type PrintState } from './TicketScreen.tsx';

type Screen =
  | { kind: 'home' }
  | { kind: 'service'; serviceId: string }
  | { kind: 'keypad'; serviceId: string }
  | { kind: 'ticket'; serviceId: string; ticket: IssuedTicket; shownAt: number };

interface KioskSettings {
  /** seconds the ticket stays on screen */
  ticketSeconds: number;
  /** seconds without a touch before any other screen returns home */
  idleSeconds: number;
}

function readSettings(): KioskSettings {
  const q = new URLSearchParams(location.search);
  const num = (name: string, fallback: number, min: number, max: number) => {
    const v = Number(q.get(name));
    return Number.isFinite(v) && v >= min && v <= max ? v : fallback;
  };
  return { ticketSeconds: num('ticketSeconds', 20, 3, 600), idleSeconds: num('idleSeconds', 90, 10, 3600) };
}

const DEFAULT_PRIORITY_AGE = 60;
/** how long the 呼叫帮办 confirmation stays on screen */
const ASSIST_NOTE_MS = 45_000;

export function KioskPage() {
  return <DeviceGate role="kiosk">{(device) => <Kiosk device={device} />}</DeviceGate>;
}

function Kiosk({ device }: { device: PairedDevice }) {
  const { token, onRepair } = device;
  const { t } = useTranslation();
  const name = useLocalised();
  const settings = useMemo(readSettings, []);
  const connection = useHallConnection({ namespace: '/kiosk', token });
  const snapshot = connection.model?.snapshot ?? null;
  const online = connection.status === 'online' && snapshot !== null;

  const [screen, setScreen] = useState<Screen>({ kind: 'home' });
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [elderly, setElderly] = useState(false);
  const [voice, setVoice] = useState(false);
  const [idNumber, setIdNumber] = useState('');
  const [pending, setPending] = useState(false);
  const [issueError, setIssueError] = useState<ClientError | null>(null);
  const [assistNote, setAssistNote] = useState<{ text: string; at: number } | null>(null);
  const [lastTouch, setLastTouch] = useState(() => Date.now());
  /** the shell's printing of the ticket on screen; null in a browser or without a printer */
  const [print, setPrint] = useState<{ ticketId: string; state: PrintState } | null>(null);
  const reprintingRef = useRef(false);
  const pendingRef = useRef(false);
  /** One idempotency key per attempt: made when a service is opened, reused by a retry, dropped on the way home. */
  const attemptKey = useRef<string>(randomKey());
  const announcer = useMemo(() => new Announcer(), []);

  const services = snapshot?.services ?? [];
  const categories = snapshot?.categories ?? [];
  const activeCategory = categoryId ?? categories[0]?.id ?? null;
  const serviceOf = (id: string): ServiceView | undefined => services.find((s) => s.id === id);

  const speak = useCallback(
    (text: string) => {
      if (voice) announcer.enqueue({ utterances: [text], lang: currentLanguage() === 'en' ? 'en-GB' : 'zh-CN', chime: false });
    },
    [voice, announcer],
  );

  const goHome = useCallback(() => {
    setScreen({ kind: 'home' });
    setCategoryId(null);
    setIdNumber('');
    setIssueError(null);
    setAssistNote(null);
    setElderly(false);
    setVoice(false);
    setPrint(null);
    attemptKey.current = randomKey();
  }, []);

  /** Applies a print result to the ticket it was for, if that ticket is still on screen. */
  const settlePrint = useCallback((ticketId: string, state: PrintState) => {
    setPrint((p) => (p && p.ticketId === ticketId ? { ticketId, state } : p));
    // A visitor told that printing failed gets the full time to note the number or reprint.
    if (state.kind === 'failed') setScreen((s) => (s.kind === 'ticket' && s.ticket.id === ticketId ? { ...s, shownAt: Date.now() } : s));
  }, []);

  const printTicket = async (ticket: IssuedTicket, service: ServiceView | undefined) => {
    const shell = device.shell;
    if (!shell || !device.canPrint) return;
    const job = buildPrintJob({
      ticket,
      hallName: name(snapshot?.hall.name) || t('common.appName'),
      serviceName: name(service?.names) || ticket.serviceId,
      timeZone: snapshot?.hall.timeZone ?? 'Asia/Shanghai',
      origin: location.origin,
      notes: t('kiosk.ticket.instructions', { returnObjects: true }) as unknown as string[],
    });
    setPrint({ ticketId: ticket.id, state: { kind: 'printing' } });
    const answer = await shellCall(() => shell.printTicket(job));
    settlePrint(ticket.id, answer.ok ? { kind: 'printed' } : { kind: 'failed', error: answer.error });
  };

  const reprintTicket = async (ticketId: string) => {
    const shell = device.shell;
    if (!shell || reprintingRef.current) return;
    reprintingRef.current = true;
    setPrint((p) => (p && p.ticketId === ticketId ? { ticketId, state: { kind: 'reprinting' } } : p));
    setScreen((s) => (s.kind === 'ticket' && s.ticket.id === ticketId ? { ...s, shownAt: Date.now() } : s));
    const answer = await shellCall(() => shell.reprintTicket({ ticketId }));
    reprintingRef.current = false;
    settlePrint(ticketId, answer.ok ? { kind: 'reprinted' } : { kind: 'failed', error: answer.error });
  };

  const openService = (serviceId: string) => {
    attemptKey.current = randomKey();
    setIssueError(null);
    setIdNumber('');
    setScreen({ kind: 'service', serviceId });
    const svc = serviceOf(serviceId);
    if (svc) speak(t('kiosk.voice.service', { service: name(svc.names) }));
  };

  const lastRequest = useRef<{ serviceId: string; withId: { idNumber: string; priority?: PriorityKind } | undefined } | null>(null);
  const issue = async (serviceId: string, withId?: { idNumber: string; priority?: PriorityKind }) => {
    if (pendingRef.current) return;
    lastRequest.current = { serviceId, withId };
    pendingRef.current = true;
    setPending(true);
    setIssueError(null);
    const answer = await sendCommand(connection.socket, 'ticket:issue', {
      serviceId,
      idempotencyKey: attemptKey.current,
      ...(withId ? { idNumber: withId.idNumber } : {}),
      ...(withId?.priority ? { priority: withId.priority } : {}),
    });
    pendingRef.current = false;
    setPending(false);
    if (answer.ok) {
      setIdNumber('');
      setScreen({ kind: 'ticket', serviceId, ticket: answer.data.ticket, shownAt: Date.now() });
      speak(t('kiosk.voice.ticket', { number: answer.data.ticket.number, count: answer.data.ticket.peopleAhead }));
      void printTicket(answer.data.ticket, serviceOf(serviceId));
    } else {
      setIssueError(answer.error);
    }
  };

  // one press at a time: a double tap is one call for help
  const [assistPending, setAssistPending] = useState(false);
  const assist = async () => {
    setAssistPending(true);
    const answer = await sendCommand(connection.socket, 'kiosk:assist', { reason: elderly ? 'elderly' : 'help' });
    setAssistPending(false);
    if (answer.ok) {
      setAssistNote({ text: t('kiosk.assistSent'), at: Date.now() });
      speak(t('kiosk.voice.assist'));
    } else setAssistNote({ text: t('kiosk.assistFailed', { reason: t(`errors.${answer.error.code}`) }), at: Date.now() });
  };

  // a hall manager took this kiosk's request for help: the visitor waiting here is told someone is coming
  useEffect(() => {
    const socket = connection.socket;
    if (!socket) return;
    const onHandled = (message: AssistHandledMessage) => {
      setAssistNote({ text: t('kiosk.assistHandled', { name: message.staffName }), at: Date.now() });
      speak(t('kiosk.voice.assistHandled'));
    };
    socket.on('kiosk:assist-handled', onHandled);
    return () => {
      socket.off('kiosk:assist-handled', onHandled);
    };
  }, [connection.socket, speak, t]);

  // Any touch keeps the visitor's screen; a quiet kiosk goes back home for the next one.
  const now = useNow(1_000);
  useEffect(() => {
    const touch = () => setLastTouch(Date.now());
    window.addEventListener('pointerdown', touch);
    window.addEventListener('keydown', touch);
    return () => {
      window.removeEventListener('pointerdown', touch);
      window.removeEventListener('keydown', touch);
    };
  }, []);
  const ticketElapsedMs = screen.kind === 'ticket' ? Math.max(0, now - screen.shownAt) : 0;
  const secondsLeft = Math.max(0, settings.ticketSeconds - Math.floor(ticketElapsedMs / 1000));
  useEffect(() => {
    if (screen.kind === 'ticket' && ticketElapsedMs >= settings.ticketSeconds * 1000) goHome();
    else if (screen.kind !== 'home' && screen.kind !== 'ticket' && !pending && now - lastTouch >= settings.idleSeconds * 1000) goHome();
    else if (assistNote && now - assistNote.at >= ASSIST_NOTE_MS) setAssistNote(null);
  }, [now, screen, ticketElapsedMs, lastTouch, pending, settings, goHome, assistNote]);

  useEffect(() => {
    if (screen.kind === 'keypad') speak(t('kiosk.voice.keypad'));
  }, [screen.kind, speak, t]);
  useEffect(() => {
    if (voice) speak(online ? t('kiosk.voice.home') : t('kiosk.voice.offline'));
    // spoken only when the guidance is switched on or the connection changes
  }, [voice, online]);

  useEffect(() => {
    document.title = `${t('kiosk.title')} · ${name(snapshot?.hall.name) || t('common.appName')}`;
  }, [t, name, snapshot?.hall.name]);

  const timeZone = snapshot?.hall.timeZone ?? 'Asia/Shanghai';
  const offset = connection.model?.clockOffsetMs ?? 0;

  let body;
  if (screen.kind === 'ticket') {
    const ticketId = screen.ticket.id;
    body = (
      <TicketScreen
        ticket={screen.ticket}
        service={serviceOf(screen.serviceId)}
        secondsLeft={secondsLeft}
        onDone={goHome}
        print={print && print.ticketId === ticketId ? print.state : { kind: 'none' }}
        onReprint={() => void reprintTicket(ticketId)}
      />
    );
  } else if (!online) {
    body = <OfflinePanel status={connection.status} />;
  } else if (screen.kind === 'service' || screen.kind === 'keypad') {
    const svc = serviceOf(screen.serviceId);
    body = svc ? (
      <ServiceScreen
        service={svc}
        keypad={screen.kind === 'keypad'}
        idNumber={idNumber}
        onIdChange={setIdNumber}
        businessDate={snapshot.businessDate}
        priorityAge={snapshot.hall.priorityAge ?? DEFAULT_PRIORITY_AGE}
        pending={pending}
        error={issueError}
        onTake={(withId) => void issue(svc.id, withId)}
        onRetry={() => lastRequest.current && void issue(lastRequest.current.serviceId, lastRequest.current.withId)}
        onKeypad={() => setScreen({ kind: 'keypad', serviceId: svc.id })}
        onBack={() => (screen.kind === 'keypad' && !svc.idRequired ? setScreen({ kind: 'service', serviceId: svc.id }) : goHome())}
      />
    ) : (
      <OfflinePanel status={connection.status} />
    );
  } else {
    const shown = services.filter((s) => s.categoryId === activeCategory);
    body = (
      <div className="home">
        <h2 className="home__welcome">{t('kiosk.welcome')}</h2>
        <div className="home__layout">
          <nav className="categories" aria-label={t('kiosk.categories')}>
            <div role="tablist" aria-orientation="vertical" className="categories__list">
              {categories.map((c) => {
                const waiting = services.filter((s) => s.categoryId === c.id).reduce((n, s) => n + s.waiting, 0);
                return (
                  <button
                    key={c.id}
                    type="button"
                    role="tab"
                    aria-selected={c.id === activeCategory}
                    aria-controls="service-panel"
                    className="category"
                    onClick={() => setCategoryId(c.id)}
                  >
                    <span className="category__name">{name(c.names)}</span>
                    <span className="category__waiting">{t('kiosk.waitingPlain', { count: waiting })}</span>
                  </button>
                );
              })}
            </div>
          </nav>
          <div id="service-panel" role="tabpanel" className="services" aria-label={name(categories.find((c) => c.id === activeCategory)?.names)}>
            {shown.map((s) => (
              <ServiceCard key={s.id} service={s} onOpen={() => openService(s.id)} />
            ))}
          </div>
        </div>
        {snapshot.hall.notice && <p className="home__notice">{snapshot.hall.notice}</p>}
      </div>
    );
  }

  return (
    <div className={`kiosk ${elderly ? 'kiosk--elderly' : ''}`}>
      <header className="masthead">
        <div className="masthead__emblem" aria-hidden="true">
          政
        </div>
        <div className="masthead__titles">
          <h1>{name(snapshot?.hall.name) || t('common.appName')}</h1>
          <p>{t('kiosk.title')}</p>
        </div>
        <div className="masthead__time">
          <Clock timeZone={timeZone} offsetMs={offset} withSeconds={false} />
          <span className="masthead__date">{formatDate(now + offset, timeZone, currentLanguage())}</span>
        </div>
      </header>
      <div className="toolbar">
        <ConnectionBadge status={connection.status} />
        <div className="toolbar__actions">
          <button type="button" className="btn btn--toggle" aria-pressed={elderly} aria-label={t('kiosk.elderlyLabel')} onClick={() => setElderly((v) => !v)}>
            {elderly ? t('kiosk.elderlyOn') : t('kiosk.elderlyOff')}
          </button>
          {elderly && (
            <button type="button" className="btn btn--toggle" aria-pressed={voice} onClick={() => setVoice((v) => !v)}>
              {voice ? t('kiosk.voiceOn') : t('kiosk.voiceOff')}
            </button>
          )}
          <LanguageSwitch />
        </div>
      </div>
      <RefusedBanner refusal={connection.status === 'refused' ? connection.refusal : null} onRepair={onRepair} />
      <main className="kiosk__body">{body}</main>
      <footer className="kiosk__footer">
        {assistNote && (
          <p className="assist-note" role="status">
            {assistNote.text}
          </p>
        )}
        <button type="button" className="btn btn--assist" aria-label={t('kiosk.assistLabel')} disabled={!online || assistPending} onClick={() => void assist()}>
          <span aria-hidden="true">☎ </span>
          {t('kiosk.assist')}
        </button>
      </footer>
    </div>
  );
}

function periodsText(service: ServiceView): string | null {
  return service.issuingPeriods.length ? service.issuingPeriods.map((p) => `${p.start}–${p.end}`).join('、') : null;
}

function ServiceCard({ service, onOpen }: { service: ServiceView; onOpen: () => void }) {
  const { t } = useTranslation();
  const name = useLocalised();
  const a = service.availability;
  const periods = periodsText(service);
  return (
    <button type="button" className={`service-card ${a.issuing ? '' : 'service-card--closed'}`} onClick={onOpen} data-service={service.id}>
      <span className="service-card__head">
        <span className="service-card__name">{name(service.names)}</span>
        <span className={`badge ${a.issuing ? 'badge--open' : 'badge--closed'}`}>{a.issuing ? t('kiosk.availability.issuing') : t(`kiosk.availability.${a.reason ?? 'SERVICE_INACTIVE'}`)}</span>
      </span>
      <span className="service-card__guide">{name(service.guide)}</span>
      <span className="service-card__meta">
        <span className="service-card__waiting">
          <Trans i18nKey="kiosk.waiting" values={{ count: service.waiting }} components={{ b: <b /> }} />
        </span>
        <span>{periods ? t('kiosk.hours', { periods }) : t('kiosk.anyTime')}</span>
        {service.idRequired && <span className="badge badge--id">{t('kiosk.idRequired')}</span>}
        {a.remainingQuota !== null && <span>{t('kiosk.remaining', { count: a.remainingQuota })}</span>}
      </span>
    </button>
  );
}

function ServiceScreen(props: {
  service: ServiceView;
  keypad: boolean;
  idNumber: string;
  onIdChange: (value: string) => void;
  businessDate: string;
  priorityAge: number;
  pending: boolean;
  error: ClientError | null;
  onTake: (withId?: { idNumber: string; priority?: PriorityKind }) => void;
  onRetry: () => void;
  onKeypad: () => void;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const name = useLocalised();
  const { service, keypad, idNumber, pending, error } = props;
  const a = service.availability;
  const periods = periodsText(service);
  const check = checkTypedId(idNumber, props.businessDate);
  const idReady = check.complete && check.problem === null;
  const elderly = idReady && check.age !== null && check.age >= props.priorityAge;

  return (
    <section className={`service-screen ${keypad ? 'service-screen--keypad' : ''}`} aria-labelledby="service-title">
      <div className="service-screen__info">
        <button type="button" className="btn btn--ghost back" onClick={props.onBack}>
          ← {t('common.back')}
        </button>
        <h2 id="service-title">{name(service.names)}</h2>
        <dl className="service-screen__facts">
          <div>
            <dt>{t('kiosk.waitingLabel')}</dt>
            <dd>
              <Trans i18nKey="kiosk.peopleCount" values={{ count: service.waiting }} components={{ b: <b /> }} />
            </dd>
          </div>
          <div>
            <dt>{t('kiosk.guide')}</dt>
            <dd>{name(service.guide)}</dd>
          </div>
          <div>
            <dt>{t('kiosk.hoursLabel')}</dt>
            <dd>{periods ?? t('kiosk.anyTime')}</dd>
          </div>
        </dl>
        {!a.issuing && (
          <p className="notice notice--warn" role="status">
            {t('kiosk.notIssuingNow', { reason: t(`kiosk.availability.${a.reason ?? 'SERVICE_INACTIVE'}`) }) +
              (a.pauseReason ? ` ${t('kiosk.pausedBecause', { reason: a.pauseReason })}` : '')}
          </p>
        )}
      </div>

      {keypad ? (
        <div className="service-screen__keypad">
          <h3>{t('kiosk.keypad.title')}</h3>
          <p className="muted">{t('kiosk.keypad.hint')}</p>
          <IdKeypad value={idNumber} onChange={props.onIdChange} check={check} />
          <p className="muted small">{t('kiosk.keypad.privacy')}</p>
          {elderly && (
            <p className="notice notice--priority" role="status">
              {t('kiosk.keypad.priorityOffer', { age: props.priorityAge })}
            </p>
          )}
          <div className="actions">
            {elderly && (
              <button type="button" className="btn btn--priority btn--large" disabled={pending || !a.issuing} onClick={() => props.onTake({ idNumber, priority: 'elderly' })}>
                {t('kiosk.keypad.takePriority')}
              </button>
            )}
            <button
              type="button"
              className={`btn ${elderly ? 'btn--secondary' : 'btn--primary'} btn--large`}
              disabled={pending || !idReady || !a.issuing}
              onClick={() => props.onTake({ idNumber })}
            >
              {elderly ? t('kiosk.keypad.takeNormal') : t('kiosk.keypad.take')}
            </button>
          </div>
        </div>
      ) : (
        <div className="actions actions--stacked">
          {!service.idRequired && (
            <button type="button" className="btn btn--primary btn--huge" disabled={pending || !a.issuing} onClick={() => props.onTake()} data-testid="take-ticket">
              {t('kiosk.take')}
            </button>
          )}
          <button type="button" className={`btn ${service.idRequired ? 'btn--primary btn--huge' : 'btn--secondary btn--large'}`} disabled={pending || !a.issuing} onClick={props.onKeypad}>
            {t('kiosk.takeWithId')}
            <small>{service.idRequired ? t('kiosk.idRequired') : t('kiosk.takeWithIdHint', { age: props.priorityAge })}</small>
          </button>
        </div>
      )}
      {pending && (
        <p className="notice" role="status">
          {t('kiosk.issuing')}
        </p>
      )}
      {error && (
        <div className="notice notice--error" role="alert">
          <span>{t('kiosk.issueFailed', { reason: t(`errors.${error.code}`) })}</span>
          {(error.code === 'TIMEOUT' || error.code === 'OFFLINE') && (
            <button type="button" className="btn btn--light" onClick={props.onRetry}>
              {t('kiosk.retry')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function OfflinePanel({ status }: { status: string }) {
  const { t } = useTranslation();
  const connecting = status === 'connecting';
  return (
    <section className="offline" role="alert" data-testid="kiosk-offline">
      <div className="offline__icon" aria-hidden="true">
        {connecting ? '…' : '!'}
      </div>
      <h2>{connecting ? t('connection.connecting') : t('kiosk.offlineTitle')}</h2>
      {!connecting && <p>{t('kiosk.offline')}</p>}
    </section>
  );
}
