// 窗口叫号: a clerk signs in at this counter and calls, serves and closes tickets, each action on a hotkey.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  CounterCommandResult,
  CounterPublicView,
  CounterView,
  Outcome,
  QueueEntryView,
  SessionEndedMessage,
  SignOutResult,
  ServiceView,
  SuspendReturn,
  TicketDetail,
} from '../../shared/protocol.ts';
import { OUTCOMES, SUSPEND_RETURNS } from '../../shared/protocol.ts';
import { sendCommand, useHallConnection, useResumeAfterReconnect, type ClientAck, type ClientError, type ClientErrorCode } from '../shared/connection.ts';
import { Dialog } from '../shared/Dialog.tsx';
import { servicesKeyOf } from '../shared/hall-model.ts';
import { ReasonDialog } from '../shared/ReasonDialog.tsx';
import { useLocalised } from '../shared/i18n.ts';
import { Clock, ConnectionBadge, CredentialFields, DeviceGate, LanguageSwitch, RefusedBanner, formatClock, formatDuration, useNow } from '../shared/ui.tsx';

type ActionId = 'callNext' | 'recall' | 'start' | 'complete' | 'noShow' | 'transfer' | 'suspend' | 'pause';
type DialogKind = 'complete' | 'transfer' | 'suspend' | 'resume' | 'pause' | null;

export const HOTKEYS: Record<ActionId, string> = {
  callNext: 'F1',
  recall: 'F2',
  start: 'F3',
  complete: 'F4',
  noShow: 'F5',
  transfer: 'F6',
  suspend: 'F7',
  pause: 'F8',
};

export function CounterPage() {
  return <DeviceGate role="counter">{(device) => <CounterTerminal token={device.token} onRepair={device.onRepair} />}</DeviceGate>;
}

interface Credentials {
  login: string;
  password: string;
}

type Feedback = { kind: 'ok'; text: string } | { kind: 'error'; text: string } | null;

function CounterTerminal({ token, onRepair }: { token: string; onRepair: (() => void) | null }) {
  const { t } = useTranslation();
  const name = useLocalised();
  // This socket's own sign-in; the counter may show a clerk who signed in on an earlier connection.
  const [signedIn, setSignedIn] = useState(false);
  // the same, readable at once by the socket's handlers (the state only changes at the next render)
  const signedInNow = useRef(false);
  const credentials = useRef<Credentials | null>(null);
  // this terminal's session, continued after a reconnect (staff:sign-in `resume`) unless it ended meanwhile
  const sessionId = useRef<string | null>(null);
  // why the sign-in form is back while the clerk did not sign out here
  const [sessionEnded, setSessionEnded] = useState<'ended' | 'expired' | null>(null);
  const [dialog, setDialog] = useState<DialogKind>(null);
  const markSignedIn = useCallback((value: boolean) => {
    signedInNow.current = value;
    setSignedIn(value);
  }, []);
  /** The server ended this terminal's session: never sign in again by itself (the clerk may work elsewhere now). */
  const sessionLost = useCallback(
    (why: 'ended' | 'expired') => {
      if (signedInNow.current) setSessionEnded(why);
      credentials.current = null;
      sessionId.current = null;
      setDialog(null);
      markSignedIn(false);
    },
    [markSignedIn],
  );
  const connection = useHallConnection({
    namespace: '/counter',
    token,
    // A snapshot without the counter's own view while signed in: the server ended this connection's
    // session (it says why just before, staff:session-ended; this is the backstop). A reconnect's
    // snapshot does not count: the page has let go of the socket's sign-in and is resuming it (below).
    onSnapshot: (snap) => {
      if (snap.counter === null && signedInNow.current) sessionLost('ended');
    },
  });
  const { socket, takeCounterView } = connection;
  const snapshot = connection.model?.snapshot ?? null;
  // The counter's own view (the visitor in hand, the queue) comes only once a clerk signs in here.
  const view = snapshot?.counter ?? null;
  const me: CounterPublicView | undefined = snapshot?.counters.find((c) => c.id === snapshot.counterId);
  const offset = connection.model?.clockOffsetMs ?? 0;
  const timeZone = snapshot?.hall.timeZone ?? 'Asia/Shanghai';

  const [busy, setBusy] = useState(false);
  const [feedback, setFeedback] = useState<Feedback>(null);

  const errorText = useCallback((error: ClientError) => t('counter.failed', { reason: t(`errors.${error.code}`) }), [t]);

  const signIn = useCallback(
    async (creds: Credentials, resume?: string): Promise<ClientError | null> => {
      const answer = await sendCommand(socket, 'staff:sign-in', resume === undefined ? creds : { ...creds, resume });
      if (!answer.ok) return answer.error;
      takeCounterView(answer.data.view);
      credentials.current = creds;
      sessionId.current = answer.data.sessionId;
      rememberLogin(creds.login);
      setSessionEnded(null);
      markSignedIn(true);
      return null;
    },
    [socket, markSignedIn, takeCounterView],
  );

  // After a reconnect (a server restart, a network blip) the new socket continues the clerk's session with
  // what the clerk typed, unless it ended while the terminal was away (then the form says why).
  useResumeAfterReconnect(socket, {
    onConnect: () => markSignedIn(false),
    resume: async () => {
      const creds = credentials.current;
      const resume = sessionId.current;
      if (!creds || !resume || signedInNow.current) return null;
      const error = await signIn(creds, resume);
      return sessionId.current === resume ? error : null; // the clerk signed in by hand meanwhile: that session stands
    },
    // no answer on a connection that stays up (a server busy restoring, a lost packet): ask again
    retryOn: RESUME_RETRY_ON,
    // a refusal of any kind (the session ended or expired, the password changed, the login locked) is for the clerk to see
    onRefused: (error) => {
      setSessionEnded(error.code === 'SESSION_EXPIRED' ? 'expired' : 'ended');
      credentials.current = null;
      sessionId.current = null;
    },
  });
  useEffect(() => {
    if (!socket) return;
    const onEnded = (message: SessionEndedMessage) => sessionLost(message.reason);
    socket.on('staff:session-ended', onEnded);
    return () => {
      socket.off('staff:session-ended', onEnded);
    };
  }, [socket, sessionLost]);

  const run = useCallback(
    async <R extends CounterCommandResult | SignOutResult>(label: keyof typeof DONE_KEYS, send: () => Promise<ClientAck<R>>, number: string | null) => {
      setBusy(true);
      const answer = await send();
      setBusy(false);
      if (answer.ok) {
        // the clerk's next key acts on the counter as this command left it, not on the view before it
        // (a sign-out answers none: the view is no longer this terminal's to see)
        const result: CounterCommandResult | SignOutResult = answer.data;
        if ('view' in result) takeCounterView(result.view);
        const acted = ('ticket' in result ? result.ticket?.number : null) ?? number ?? '';
        setFeedback({ kind: 'ok', text: t(`counter.done.${label}`, { number: acted }) });
      } else {
        if (answer.error.code === 'NOT_SIGNED_IN') sessionLost('ended');
        if (answer.error.code === 'SESSION_EXPIRED') sessionLost('expired');
        setFeedback({ kind: 'error', text: errorText(answer.error) });
      }
      return answer.ok;
    },
    [t, errorText, sessionLost, takeCounterView],
  );

  // a hall manager changing what this counter calls for (潮汐窗口) is said to the clerk signed in here: compared
  // with what a clerk signed in here last saw, so a change made while the terminal was away (signed out by a
  // reconnect until its resume) is said once it is back
  const servicesKey = me ? servicesKeyOf(me) : null;
  const servicesSeen = useRef<string | null>(null);
  useEffect(() => {
    if (!signedIn || servicesKey === null) return;
    const before = servicesSeen.current;
    servicesSeen.current = servicesKey;
    if (before === null || before === servicesKey) return;
    setFeedback({ kind: 'ok', text: me?.servicesSetAt === null ? t('counter.services.reset') : t('counter.services.changed') });
  }, [servicesKey, signedIn, me?.servicesSetAt, t]);

  const current = view?.current ?? null;
  const status = (signedIn ? view?.status : me?.status) ?? 'signed_out';
  const can: Record<ActionId, boolean> = {
    callNext: status === 'idle',
    recall: current?.status === 'called',
    start: current?.status === 'called',
    complete: current?.status === 'serving',
    noShow: current?.status === 'called',
    transfer: current !== null,
    suspend: current?.status === 'serving' || (current === null && (view?.suspended.length ?? 0) > 0 && status !== 'paused'),
    pause: status === 'idle' || status === 'paused',
  };

  const act = useCallback(
    (id: ActionId) => {
      const number = current?.number ?? null;
      switch (id) {
        case 'callNext':
          return void run('counter:call-next', () => sendCommand(socket, 'counter:call-next', {}), null);
        case 'recall':
          return void run('counter:recall', () => sendCommand(socket, 'counter:recall', {}), number);
        case 'start':
          return void run('counter:start', () => sendCommand(socket, 'counter:start', {}), number);
        case 'noShow':
          return void run('counter:no-show', () => sendCommand(socket, 'counter:no-show', {}), number);
        case 'complete':
          return setDialog('complete');
        case 'transfer':
          return setDialog('transfer');
        case 'suspend':
          return setDialog(current ? 'suspend' : 'resume');
        case 'pause':
          if (status === 'paused') return void run('counter:unpause', () => sendCommand(socket, 'counter:unpause', {}), null);
          return setDialog('pause');
      }
    },
    [current, run, socket, status],
  );

  const ready = signedIn && view !== null && connection.status === 'online';
  // The hotkey handler reads the state of the latest render, not of the render that registered it:
  // a clerk who presses F4 the moment 办理中 appears must not hit a stale handler.
  const latest = useRef({ ready, dialog, busy, can, act, current, status });
  latest.current = { ready, dialog, busy, can, act, current, status };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const id = (Object.keys(HOTKEYS) as ActionId[]).find((k) => HOTKEYS[k] === e.key);
      const s = latest.current;
      if (!id || !s.ready) return;
      e.preventDefault(); // F1 help, F5 reload, F6 address bar: the hall's meaning wins
      // While a command is in flight only dialogs may open: nothing is sent twice.
      const opensDialog = id === 'complete' || id === 'transfer' || (id === 'suspend' && s.current !== null) || (id === 'pause' && s.status !== 'paused');
      if (s.dialog || (s.busy && !opensDialog) || !s.can[id]) return;
      s.act(id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    document.title = `${me ? t('common.counterNumber', { number: me.number }) : ''} ${t('counter.title')}`.trim();
  }, [t, me]);

  const closeDialog = useCallback(() => setDialog(null), []);

  let body;
  if (!me) {
    body = (
      <section className="panel panel--center" role="status">
        <h2>{connection.status === 'online' ? t('errors.COUNTER_NOT_FOUND') : t(`connection.${connection.status}`)}</h2>
      </section>
    );
  } else if (!signedIn) {
    body = (
      <SignInForm
        suggestedLogin={credentials.current?.login ?? rememberedLogin()}
        notice={sessionEnded && t(`counter.sessionEnded.${sessionEnded}`)}
        disabled={connection.status !== 'online'}
        onSignIn={signIn}
      />
    );
  } else if (!view) {
    body = (
      <section className="panel panel--center" role="status">
        <h2>{t('counter.openingView')}</h2>
      </section>
    );
  } else {
    body = (
      <div className="terminal">
        <div className="terminal__main">
          {status === 'paused' && (
            <p className="paused-banner" role="status">
              {t('counter.pausedBanner', { reason: view.pauseReason ?? '' })}
            </p>
          )}
          <CurrentTicket ticket={current} offset={offset} services={snapshot?.services ?? []} />
          <div className="actions-grid" role="toolbar" aria-label={t('counter.title')}>
            {(Object.keys(HOTKEYS) as ActionId[]).map((id) => {
              const label =
                id === 'suspend' && !current ? t('counter.actions.resume') : id === 'pause' && status === 'paused' ? t('counter.actions.unpause') : t(`counter.actions.${id}`);
              return (
                <button
                  key={id}
                  type="button"
                  className={`action action--${id}`}
                  disabled={busy || !can[id] || connection.status !== 'online'}
                  aria-keyshortcuts={HOTKEYS[id]}
                  aria-label={`${label}（${t('counter.hotkey', { key: HOTKEYS[id] })}）`}
                  onClick={() => act(id)}
                  data-action={id}
                >
                  <kbd aria-hidden="true">{HOTKEYS[id]}</kbd>
                  <span>{label}</span>
                </button>
              );
            })}
          </div>
          <div className="feedback" aria-live="polite">
            {feedback && (
              <p className={`feedback__line feedback__line--${feedback.kind}`} role={feedback.kind === 'error' ? 'alert' : 'status'} data-testid="counter-feedback">
                {feedback.text}
              </p>
            )}
          </div>
          <TodayFigures view={view} />
        </div>
        <aside className="terminal__side">
          <QueueList
            title={t('counter.lists.queueCount', { count: view.queue.length })}
            entries={view.queue}
            offset={offset}
            actionLabel={(n) => t('counter.lists.callThis', { number: n })}
            actionText={t('counter.actions.call')}
            disabled={busy || status !== 'idle'}
            onAction={(e) => void run('counter:call', () => sendCommand(socket, 'counter:call', { ticketId: e.id }), e.number)}
            testId="queue"
          />
          <QueueList
            title={t('counter.lists.suspended')}
            entries={view.suspended}
            offset={offset}
            actionLabel={(n) => t('counter.lists.resumeThis', { number: n })}
            actionText={t('counter.actions.resume')}
            disabled={busy || status !== 'idle'}
            onAction={(e) => void run('counter:resume', () => sendCommand(socket, 'counter:resume', { ticketId: e.id }), e.number)}
            testId="suspended"
          />
          <QueueList
            title={t('counter.lists.noShows')}
            entries={view.noShows}
            offset={offset}
            actionLabel={(n) => t('counter.lists.reactivateThis', { number: n })}
            actionText={t('counter.actions.reactivate')}
            disabled={busy}
            onAction={(e) => void run('counter:reactivate', () => sendCommand(socket, 'counter:reactivate', { ticketId: e.id }), e.number)}
            testId="no-shows"
          />
          {me && <ServicesServed counter={me} services={snapshot?.services ?? []} timeZone={timeZone} />}
        </aside>
      </div>
    );
  }

  return (
    <div className="counter-app">
      <header className="masthead masthead--compact">
        <div className="masthead__counter" aria-label={me ? t('common.counterNumber', { number: me.number }) : undefined}>
          <span className="masthead__counter-number">{me?.number ?? '–'}</span>
          <span className="masthead__counter-unit">{t('counter.counterUnit')}</span>
        </div>
        <div className="masthead__titles">
          <h1>
            {me?.name ?? t('counter.title')}
            {me && <span className={`status-pill status-pill--${status}`}>{t(`counter.status.${status}`)}</span>}
          </h1>
          <p>
            {name(snapshot?.hall.name)}
            {view?.staff && signedIn ? ` · ${t('counter.clerk', { name: view.staff.name, staffNo: view.staff.staffNo })}` : ''}
          </p>
        </div>
        <div className="masthead__tools">
          <ConnectionBadge status={connection.status} />
          <LanguageSwitch />
          {signedIn && (
            <button
              type="button"
              className="language-switch"
              disabled={busy}
              onClick={() =>
                void run('staff:sign-out', () => sendCommand(socket, 'staff:sign-out', {}), null).then((ok) => {
                  if (ok) {
                    credentials.current = null;
                    sessionId.current = null;
                    markSignedIn(false);
                  }
                })
              }
            >
              {t('counter.signIn.signOut')}
            </button>
          )}
          <Clock timeZone={timeZone} offsetMs={offset} />
        </div>
      </header>
      <RefusedBanner refusal={connection.status === 'refused' ? connection.refusal : null} onRepair={onRepair} />
      <main className="counter-app__body">{body}</main>

      {dialog === 'complete' && current && (
        <Dialog title={t('counter.outcomes.title')} onClose={closeDialog}>
          <div className="choice-grid">
            {OUTCOMES.map((outcome: Outcome) => (
              <button
                key={outcome}
                type="button"
                className="btn btn--primary btn--large"
                onClick={() => {
                  closeDialog();
                  void run('counter:complete', () => sendCommand(socket, 'counter:complete', { outcome }), current.number);
                }}
              >
                {t(`counter.outcomes.${outcome}`)}
              </button>
            ))}
          </div>
        </Dialog>
      )}
      {dialog === 'transfer' && current && snapshot && view && (
        <Dialog title={t('counter.transfer.title', { number: current.number })} onClose={closeDialog}>
          <h3 className="dialog__section">{t('counter.transfer.toService')}</h3>
          <div className="choice-grid choice-grid--dense">
            {snapshot.services
              .filter((s) => s.id !== current.serviceId)
              .map((s) => (
                <button
                  key={s.id}
                  type="button"
                  className="btn btn--secondary"
                  onClick={() => {
                    closeDialog();
                    void run('counter:transfer', () => sendCommand(socket, 'counter:transfer', { serviceId: s.id }), current.number);
                  }}
                >
                  {name(s.names)}
                </button>
              ))}
          </div>
          <h3 className="dialog__section">{t('counter.transfer.toCounter')}</h3>
          <div className="choice-grid choice-grid--dense">
            {snapshot.counters
              .filter((c) => c.id !== view.counterId)
              .map((c) => (
                <button
                  key={c.id}
                  type="button"
                  className="btn btn--secondary"
                  onClick={() => {
                    closeDialog();
                    void run('counter:transfer', () => sendCommand(socket, 'counter:transfer', { counterId: c.id }), current.number);
                  }}
                >
                  {t('common.counterNumber', { number: c.number })}
                  <small>
                    {c.name} · {t(`counter.status.${c.status}`)}
                  </small>
                </button>
              ))}
          </div>
        </Dialog>
      )}
      {dialog === 'suspend' && current && (
        <Dialog title={t('counter.suspend.title', { number: current.number })} onClose={closeDialog}>
          <div className="choice-grid choice-grid--one">
            {SUSPEND_RETURNS.map((returnTo: SuspendReturn) => (
              <button
                key={returnTo}
                type="button"
                className="btn btn--primary btn--large"
                onClick={() => {
                  closeDialog();
                  void run('counter:suspend', () => sendCommand(socket, 'counter:suspend', { returnTo }), current.number);
                }}
              >
                {t(`counter.suspend.${returnTo}`)}
              </button>
            ))}
          </div>
        </Dialog>
      )}
      {dialog === 'resume' && view && (
        <Dialog title={t('counter.lists.suspended')} onClose={closeDialog}>
          <div className="choice-grid">
            {view.suspended.map((e) => (
              <button
                key={e.id}
                type="button"
                className="btn btn--primary btn--large"
                onClick={() => {
                  closeDialog();
                  void run('counter:resume', () => sendCommand(socket, 'counter:resume', { ticketId: e.id }), e.number);
                }}
              >
                {t('counter.lists.resumeThis', { number: e.number })}
              </button>
            ))}
          </div>
        </Dialog>
      )}
      {dialog === 'pause' && (
        <PauseDialog
          onClose={closeDialog}
          onPause={(reason) => {
            closeDialog();
            void run('counter:pause', () => sendCommand(socket, 'counter:pause', { reason }), null);
          }}
        />
      )}
    </div>
  );
}

const DONE_KEYS = {
  'counter:call-next': true,
  'counter:call': true,
  'counter:recall': true,
  'counter:start': true,
  'counter:complete': true,
  'counter:no-show': true,
  'counter:transfer': true,
  'counter:suspend': true,
  'counter:resume': true,
  'counter:reactivate': true,
  'counter:pause': true,
  'counter:unpause': true,
  'staff:sign-out': true,
} as const;

// The login last used on this terminal is offered again (the same clerk usually sits at the same
// counter); the server never tells a terminal nobody is signed in on a clerk's login.
const LAST_LOGIN_KEY = 'hall.counter.lastLogin';
/** what a resume after a reconnect asks again for: no answer on a live connection */
const RESUME_RETRY_ON: ReadonlySet<ClientErrorCode> = new Set(['TIMEOUT']);

function rememberedLogin(): string {
  try {
    return localStorage.getItem(LAST_LOGIN_KEY) ?? '';
  } catch {
    return ''; // storage switched off: nothing to offer
  }
}

function rememberLogin(login: string): void {
  try {
    localStorage.setItem(LAST_LOGIN_KEY, login);
  } catch {
    // storage switched off: the clerk types the login next time
  }
}

function SignInForm({
  suggestedLogin,
  notice,
  disabled,
  onSignIn,
}: {
  suggestedLogin: string;
  /** why the form is back, when the clerk did not sign out here */
  notice: string | null;
  disabled: boolean;
  onSignIn: (c: Credentials) => Promise<ClientError | null>;
}) {
  const { t } = useTranslation();
  const [login, setLogin] = useState(suggestedLogin);
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setError(await onSignIn({ login: login.trim(), password }));
    setPending(false);
  };
  return (
    <form className="panel sign-in" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t('counter.signIn.title')}</h2>
      {notice && (
        <p className="notice notice--warn" role="status" data-testid="session-ended">
          {notice}
        </p>
      )}
      <CredentialFields login={login} onLogin={setLogin} password={password} onPassword={setPassword} error={error} focus={suggestedLogin ? 'password' : 'login'} />
      <button type="submit" className="btn btn--primary btn--large" disabled={pending || disabled}>
        {pending ? t('counter.signIn.signingIn') : t('counter.signIn.submit')}
      </button>
    </form>
  );
}

/** Keeps the elapsed time of the current ticket ticking between server messages. */
function useTicking(ticket: TicketDetail | null, offset: number): { now: number; servedMs: number } {
  const receivedAt = useMemo(() => Date.now(), [ticket]);
  const now = useNow(1_000, offset);
  const servedMs = ticket ? ticket.servedMs + (ticket.status === 'serving' ? Math.max(0, now - offset - receivedAt) : 0) : 0;
  return { now, servedMs };
}

function CurrentTicket({ ticket, offset, services }: { ticket: TicketDetail | null; offset: number; services: ServiceView[] }) {
  const { t } = useTranslation();
  const name = useLocalised();
  const { now, servedMs } = useTicking(ticket, offset);
  if (!ticket) {
    return (
      <section className="current current--empty" aria-labelledby="current-title" data-testid="current-ticket">
        <h2 id="current-title" className="current__label">
          {t('counter.current.title')}
        </h2>
        <p className="current__none">{t('counter.current.none')}</p>
        <p className="muted">{t('counter.current.noneHint')}</p>
      </section>
    );
  }
  const service = services.find((s) => s.id === ticket.serviceId);
  return (
    <section className={`current current--${ticket.status}`} aria-labelledby="current-title" data-testid="current-ticket">
      <div className="current__head">
        <h2 id="current-title" className="current__label">
          {t('counter.current.title')}
        </h2>
        <span className={`status-pill status-pill--ticket-${ticket.status}`}>{t(`counter.current.status.${ticket.status}`)}</span>
      </div>
      <div className="current__body">
        <p className="current__number" data-testid="current-number">
          {ticket.number}
        </p>
        <dl className="current__facts">
          <div>
            <dt>{t('counter.current.service')}</dt>
            <dd>{name(service?.names) || ticket.serviceId}</dd>
          </div>
          <div>
            <dt>{t('counter.current.priority')}</dt>
            <dd>{ticket.priority ? <span className="badge badge--priority">{t(`common.priority.${ticket.priority}`)}</span> : t('counter.current.normal')}</dd>
          </div>
          <div>
            <dt>{t('counter.current.id')}</dt>
            <dd className="mono">{ticket.idMasked ?? t('counter.current.noId')}</dd>
          </div>
          <div>
            <dt>{t('counter.current.waited')}</dt>
            <dd>{formatDuration((ticket.calledAt ?? now) - ticket.issuedAt)}</dd>
          </div>
          <div>
            <dt>{ticket.status === 'serving' ? t('counter.current.elapsed') : t('counter.current.calledFor')}</dt>
            <dd data-testid="current-elapsed">{formatDuration(ticket.status === 'serving' ? servedMs : now - (ticket.calledAt ?? now))}</dd>
          </div>
          <div>
            <dt>{t('counter.current.chosenBy')}</dt>
            <dd data-testid="current-chosen-by">{ticket.chosenBy ? t(`counter.rules.${ticket.chosenBy}`) : '—'}</dd>
          </div>
        </dl>
      </div>
      {(ticket.recalls > 0 || ticket.transfers > 0) && (
        <p className="current__notes">
          {ticket.recalls > 0 && <span data-testid="current-recalls">{t('counter.current.recalls', { count: ticket.recalls })}</span>}
          {ticket.transfers > 0 && <span>{t('counter.current.transfers', { count: ticket.transfers })}</span>}
        </p>
      )}
    </section>
  );
}

function QueueList(props: {
  title: string;
  entries: QueueEntryView[];
  offset: number;
  actionLabel: (number: string) => string;
  actionText: string;
  disabled: boolean;
  onAction: (entry: QueueEntryView) => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const now = useNow(5_000, props.offset);
  return (
    <section className="queue" aria-label={props.title} data-testid={props.testId}>
      <h2 className="queue__title">{props.title}</h2>
      {props.entries.length === 0 ? (
        <p className="queue__empty">{t('counter.lists.empty')}</p>
      ) : (
        <table className="queue__table">
          <thead>
            <tr>
              <th scope="col">{t('counter.lists.number')}</th>
              <th scope="col">{t('counter.lists.waited')}</th>
              <th scope="col">
                <span className="visually-hidden">{props.actionText}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((e) => (
              <tr key={e.id} data-ticket={e.number}>
                <td className="queue__number">
                  {e.number}
                  {e.priority && <span className="badge badge--priority">{t(`common.priority.${e.priority}`)}</span>}
                  {e.directed && <span className="badge badge--id">{t('counter.lists.directed')}</span>}
                </td>
                <td>{formatDuration(now - e.issuedAt)}</td>
                <td>
                  <button type="button" className="btn btn--ghost btn--row" disabled={props.disabled} aria-label={props.actionLabel(e.number)} onClick={() => props.onAction(e)}>
                    {props.actionText}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** What this counter calls for: its main work and its backup, and whether a hall manager changed them today (潮汐窗口). */
function ServicesServed({ counter, services, timeZone }: { counter: CounterPublicView; services: ServiceView[]; timeZone: string }) {
  const { t } = useTranslation();
  const name = useLocalised();
  const names = (ids: string[]) => ids.map((id) => name(services.find((s) => s.id === id)?.names) || id).join('、');
  const backup = new Set(counter.backupServiceIds);
  const primary = counter.serviceIds.filter((id) => !backup.has(id));
  return (
    <section className="served" aria-labelledby="served-title" data-testid="counter-services">
      <h2 id="served-title" className="today__title">
        {t('counter.services.title')}
      </h2>
      {counter.servicesSetAt !== null && <p className="served__adjusted">{t('counter.services.adjusted', { time: formatClock(counter.servicesSetAt, timeZone, false) })}</p>}
      <dl className="served__list">
        {primary.length > 0 && (
          <div>
            <dt>{t('counter.services.primary')}</dt>
            <dd>{names(primary)}</dd>
          </div>
        )}
        {backup.size > 0 && (
          <div>
            <dt>{t('counter.services.backup')}</dt>
            <dd>{names(counter.backupServiceIds)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}

function TodayFigures({ view }: { view: CounterView }) {
  const { t } = useTranslation();
  const f = view.today;
  const items: [string, string][] = [
    ['called', String(f.called)],
    ['completed', String(f.completed)],
    ['noShows', String(f.noShows)],
    ['transfersOut', String(f.transfersOut)],
    ['suspended', String(f.suspended)],
    ['meanHandling', f.meanHandlingMs === null ? t('counter.today.none') : formatDuration(f.meanHandlingMs)],
  ];
  return (
    <section className="today" aria-labelledby="today-title">
      <h2 id="today-title" className="today__title">
        {t('counter.today.title')}
      </h2>
      <dl className="today__grid">
        {items.map(([key, value]) => (
          <div key={key} data-figure={key}>
            <dt>{t(`counter.today.${key}`)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function PauseDialog({ onClose, onPause }: { onClose: () => void; onPause: (reason: string) => void }) {
  const { t } = useTranslation();
  return (
    <ReasonDialog
      title={t('counter.pause.title')}
      reasons={t('counter.pause.reasons', { returnObjects: true }) as unknown as string[]}
      otherTitle={t('counter.pause.other')}
      otherLabel={t('counter.pause.otherLabel')}
      onClose={onClose}
      onChoose={onPause}
    />
  );
}
