// 大厅管理: the hall manager's dashboard. Anyone at the manager machine sees the counters, the queues,
// today's figures, 呼叫帮办 requests from the kiosks and the Electron shells' health; a hall manager signs
// in to act: releasing a counter whose clerk's terminal died with a visitor at it, taking a request for
// help, pausing or resuming issuing for a service (docs/protocol.md, /manager).
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssistRequestView, CounterPublicView, CounterServicesResult, DeviceHealthView, StaffView } from '../../shared/protocol.ts';
import { Dialog } from '../shared/Dialog.tsx';
import { sendManagerCommand, useHallConnection, useResumeAfterReconnect, type ClientAck, type ClientError, type ClientErrorCode } from '../shared/connection.ts';
import { useLocalised } from '../shared/i18n.ts';
import { AssistPanel, withRequest } from './Assists.tsx';
import { CounterServicesDialog, CounterServicesSummary } from './CounterServices.tsx';
import { ServicesPanel } from './Services.tsx';
import { TodayPanel } from './Today.tsx';
import { Clock, ConnectionBadge, CredentialFields, DeviceGate, ErrorLine, LanguageSwitch, RefusedBanner, formatDuration, useNow, type PairedDevice } from '../shared/ui.tsx';

/** how long a counter changed here waits at most for the page's view to show the change (its updates are merged, every 250 ms) */
const AWAIT_VIEW_MS = 2_000;
/** a counter calling for this long is marked: the visitor may not have heard, or its terminal may be gone */
const LONG_CALL_MS = 5 * 60_000;
/** what a resume after a reconnect asks again for: no answer, or a refusal that passes */
const RESUME_RETRY_ON: ReadonlySet<ClientErrorCode> = new Set(['TIMEOUT', 'RATE_LIMITED', 'STORE_UNAVAILABLE', 'INTERNAL']);

export function ManagerPage() {
  return <DeviceGate role="manager">{(device) => <Manager device={device} />}</DeviceGate>;
}

type Notice = { kind: 'ok' | 'warn' | 'error'; text: string };

function Manager({ device }: { device: PairedDevice }) {
  const { t } = useTranslation();
  const name = useLocalised();
  const connection = useHallConnection({ namespace: '/manager', token: device.token });
  const { socket } = connection;
  const snapshot = connection.model?.snapshot ?? null;
  const timeZone = snapshot?.hall.timeZone ?? 'Asia/Shanghai';
  // the manager signed in on this dashboard, and whether the current connection holds that sign-in (after a
  // reconnect the page continues it by itself: `resume`, below)
  const [staff, setStaff] = useState<StaffView | null>(null);
  const [live, setLive] = useState(false);
  // read by answers that arrive later: whether the sign-in is held then, not when the command was sent
  const liveRef = useRef(live);
  liveRef.current = live;
  const credentials = useRef<{ login: string; password: string } | null>(null);
  const sessionId = useRef<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [assists, setAssists] = useState<AssistRequestView[]>([]);
  const [health, setHealth] = useState<Map<string, DeviceHealthView>>(() => new Map());
  const [releasing, setReleasing] = useState<CounterPublicView | null>(null);
  // the counter whose services the manager is changing (潮汐窗口), as it was when the dialog opened
  const [adjusting, setAdjusting] = useState<CounterPublicView | null>(null);
  // counter id → its servicesSetAt before this page changed it, until the page's view has moved on from it
  const [awaitingServices, setAwaitingServices] = useState<ReadonlyMap<string, number | null>>(() => new Map());
  const noticeRef = useRef<HTMLParagraphElement>(null);
  // after a release, or a request for help taken (or taken by someone else first), the button acted on
  // is gone: the focus goes to what happened
  useEffect(() => {
    // (not out of a dialog still open: it says the same inside)
    if ((notice?.kind === 'ok' || notice?.kind === 'error') && !document.querySelector('[role="dialog"]')) noticeRef.current?.focus();
  }, [notice]);
  const closeRelease = useCallback(() => setReleasing(null), []);
  const closeAdjust = useCallback(() => setAdjusting(null), []);

  useEffect(() => {
    document.title = t('manager.title');
  }, [t]);

  /** The sign-in is gone (signed out, expired, ended): the form comes back, with `why` when the manager did not sign out. */
  const signedOut = useCallback((why: string | null) => {
    credentials.current = null;
    sessionId.current = null;
    setStaff(null);
    setLive(false);
    setReleasing(null);
    setAdjusting(null);
    if (why) setNotice({ kind: 'warn', text: why });
  }, []);

  const signIn = useCallback(
    async (login: string, password: string, resume?: string): Promise<ClientError | null> => {
      const answer = await sendManagerCommand(socket, 'staff:sign-in', resume === undefined ? { login, password } : { login, password, resume });
      if (resume !== undefined && sessionId.current !== resume) return null; // the page let go of that sign-in meanwhile
      if (!answer.ok) return answer.error;
      credentials.current = { login, password };
      sessionId.current = answer.data.sessionId;
      setStaff(answer.data.staff);
      setLive(true);
      if (resume === undefined) setNotice(null);
      return null;
    },
    [socket],
  );

  // After a reconnect (a network blip, a server restart) the new connection continues the manager's
  // sign-in by itself, unless it ended meanwhile (a restart ends it; expiry still counts from the sign-in).
  useResumeAfterReconnect(socket, {
    onConnect: () => setLive(false),
    resume: async () => {
      const creds = credentials.current;
      const resume = sessionId.current;
      return creds && resume ? signIn(creds.login, creds.password, resume) : null;
    },
    // no answer, or a refusal that passes (a server busy restoring, the device's command budget): ask again
    retryOn: RESUME_RETRY_ON,
    onRefused: (error) =>
      signedOut(
        error.code === 'SESSION_EXPIRED'
          ? t('manager.signIn.expired')
          : error.code === 'SESSION_ENDED'
            ? t('manager.signIn.ended')
            : t('manager.signIn.notResumed', { reason: t(`errors.${error.code}`) }), // the password changed, the account is locked…
      ),
  });
  useEffect(() => {
    if (!socket) return;
    // today's requests for help come whole on connecting (and at the turn of the day), then one by one:
    // made, asked again, or taken (by this dashboard or another)
    const onAssists = (list: AssistRequestView[]) => setAssists(list);
    const onAssist = (request: AssistRequestView) => setAssists((list) => withRequest(list, request));
    const onHealth = (view: DeviceHealthView) => setHealth((map) => new Map(map).set(view.deviceId, view));
    const onDisconnect = () => setLive(false);
    socket.on('hall:assists', onAssists);
    socket.on('hall:assist', onAssist);
    socket.on('device:health', onHealth);
    socket.on('disconnect', onDisconnect);
    return () => {
      socket.off('hall:assists', onAssists);
      socket.off('hall:assist', onAssist);
      socket.off('device:health', onHealth);
      socket.off('disconnect', onDisconnect);
    };
  }, [socket]);

  const signOut = async () => {
    const answer = await sendManagerCommand(socket, 'staff:sign-out', {});
    // signed out either way: NOT_SIGNED_IN or SESSION_EXPIRED mean the server holds no sign-in here
    signedOut(null);
    if (!answer.ok && answer.error.code !== 'NOT_SIGNED_IN' && answer.error.code !== 'SESSION_EXPIRED') setNotice({ kind: 'error', text: t(`errors.${answer.error.code}`) });
  };

  /** A refused command that means the sign-in is gone shows the sign-in form again, saying why. */
  const lostSignIn = (error: ClientError) => {
    if (error.code === 'SESSION_EXPIRED') signedOut(t('manager.signIn.expired'));
    // (while the page is still resuming, the resume decides)
    else if (error.code === 'NOT_SIGNED_IN' && liveRef.current) signedOut(t('manager.signIn.ended'));
  };
  /**
   * A manager command's outcome said on the page: `done` when it went through, `refused(reason)` when not
   * (a refusal that means the sign-in is gone also shows the sign-in form). Returns the refusal, or null.
   */
  const act = async (sent: Promise<ClientAck<unknown>>, done: string, refused: (reason: string) => string): Promise<ClientError | null> => {
    const answer = await sent;
    if (answer.ok) {
      setNotice({ kind: 'ok', text: done });
      return null;
    }
    lostSignIn(answer.error);
    setNotice({ kind: 'error', text: refused(t(`errors.${answer.error.code}`)) });
    return answer.error;
  };
  /**
   * A change of a counter's services (潮汐窗口) said on the page. Until the page's own view of the counter has
   * moved on from what the dialog showed (the dashboard's updates are merged, up to 250 ms late), its 调整事项
   * stays disabled: a dialog opened meanwhile would take the manager's own change for someone else's.
   */
  const changeServices = async (seen: CounterPublicView, sent: Promise<ClientAck<CounterServicesResult>>): Promise<ClientError | null> => {
    const counterName = t('common.counterNumber', { number: seen.number });
    const answer = await sent;
    if (!answer.ok) {
      lostSignIn(answer.error);
      setNotice({ kind: 'error', text: t('manager.services.notSaved', { counter: counterName, reason: t(`errors.${answer.error.code}`) }) });
      return answer.error;
    }
    if (answer.data.servicesSetAt !== seen.servicesSetAt) {
      setAwaitingServices((m) => new Map(m).set(seen.id, seen.servicesSetAt));
      // and at most AWAIT_VIEW_MS: another manager may have put it back meanwhile, and then the view never differs
      window.setTimeout(() => setAwaitingServices((m) => (m.has(seen.id) ? new Map([...m].filter(([id]) => id !== seen.id)) : m)), AWAIT_VIEW_MS);
    }
    // (the catalogue's list chosen by hand is a reset on the server: said as one)
    setNotice({ kind: 'ok', text: answer.data.servicesSetAt === null ? t('manager.services.resetDone', { counter: counterName }) : t('manager.services.saved', { counter: counterName }) });
    setAdjusting(null);
    return null;
  };
  /** acting needs the sign-in held by this connection, online */
  const canAct = staff !== null && live && connection.status === 'online';

  const now = useNow(1_000, connection.model?.clockOffsetMs ?? 0); // the server's clock
  const counters = snapshot?.counters ?? [];
  // (the page's view of a counter changed by this page has caught up: its 调整事项 may open again)
  useEffect(() => {
    if (awaitingServices.size === 0) return;
    const caughtUp = [...awaitingServices].filter(([id, before]) => (counters.find((c) => c.id === id)?.servicesSetAt ?? null) !== before);
    if (caughtUp.length > 0) setAwaitingServices((m) => new Map([...m].filter(([id]) => !caughtUp.some(([done]) => done === id))));
  }, [counters, awaitingServices]);
  const faults = [...health.values()].filter((h) => h.report.status !== 'ok').sort((a, b) => b.receivedAt - a.receivedAt);

  return (
    <div className="manager">
      <header className="masthead">
        <div className="masthead__emblem" aria-hidden="true">
          政
        </div>
        <div className="masthead__titles">
          <h1>{t('manager.title')}</h1>
          <p>{name(snapshot?.hall.name)}</p>
        </div>
        <div className="masthead__tools">
          {staff && (
            <span className="manager__who" data-testid="manager-who">
              {t('manager.signIn.signedInAs', { name: staff.name })}
            </span>
          )}
          {staff && (
            <button type="button" className="btn btn--light" disabled={!live} onClick={() => void signOut()}>
              {t('manager.signIn.signOut')}
            </button>
          )}
          <Clock timeZone={timeZone} offsetMs={connection.model?.clockOffsetMs ?? 0} withSeconds={false} />
          <ConnectionBadge status={connection.status} />
          <LanguageSwitch />
        </div>
      </header>
      <RefusedBanner refusal={connection.status === 'refused' ? connection.refusal : null} onRepair={device.onRepair} />
      {/* mounted before any notice, so screen readers announce what is put in it */}
      <div role="status" aria-live="polite" className="manager__notice-region">
        {notice && (
          <p className={`notice notice--${notice.kind} manager__notice`} data-testid="manager-notice" tabIndex={-1} ref={noticeRef}>
            {notice.text}
          </p>
        )}
      </div>
      <main className="manager__body">
        <div className="manager__main">
          <section className="panel manager__counters" aria-labelledby="counters-title">
            <h2 id="counters-title">{t('manager.counters.title')}</h2>
            {!staff && snapshot && <p className="muted manager__hint">{t('manager.needSignIn')}</p>}
            {staff && !live && connection.status === 'online' && <p className="muted manager__hint">{t('manager.signIn.resuming')}</p>}
            {!snapshot ? (
              <p className="muted">{t(`connection.${connection.status}`)}</p>
            ) : (
              <table className="manager__table">
                <thead>
                  <tr>
                    <th scope="col">{t('manager.counters.counter')}</th>
                    <th scope="col">{t('manager.counters.status')}</th>
                    <th scope="col">{t('manager.counters.clerk')}</th>
                    <th scope="col">{t('manager.counters.current')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('manager.counters.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {counters.map((c) => (
                    <tr key={c.id} data-testid={`counter-row-${c.number}`}>
                      <th scope="row">
                        <span className="manager__counter-number">{c.number}</span> {c.name}
                        <CounterServicesSummary counter={c} timeZone={timeZone} />
                      </th>
                      <td>
                        <span className={`status-pill status-pill--${c.status}`}>{t(`counter.status.${c.status}`)}</span>
                        {c.status !== 'signed_out' && c.status !== 'idle' && (
                          // how long it has been calling, serving or paused: a call nobody answers for long is a terminal to look at
                          <span className={`manager__since ${c.status === 'calling' && now - c.statusSince >= LONG_CALL_MS ? 'manager__since--long' : ''}`} data-testid={`since-${c.number}`}>
                            {formatDuration(now - c.statusSince)}
                          </span>
                        )}
                        {c.status === 'paused' && c.pauseReason && <span className="manager__reason">{c.pauseReason}</span>}
                      </td>
                      <td>{c.staff ? t('manager.counters.staff', { name: c.staff.name, staffNo: c.staff.staffNo }) : '—'}</td>
                      <td className={c.current ? 'manager__ticket' : 'muted'}>{c.current?.number ?? '—'}</td>
                      <td className="manager__actions">
                        <button
                          type="button"
                          className="btn btn--ghost"
                          disabled={!canAct || awaitingServices.has(c.id)}
                          aria-label={t('manager.services.adjustLabel', { counter: t('common.counterNumber', { number: c.number }) })}
                          onClick={() => setAdjusting(c)}
                        >
                          {t('manager.services.adjust')}
                        </button>
                        {c.status !== 'signed_out' && (
                          <button
                            type="button"
                            className="btn btn--secondary"
                            disabled={!canAct}
                            aria-label={t('manager.counters.releaseLabel', { counter: t('common.counterNumber', { number: c.number }) })}
                            onClick={() => setReleasing(c)}
                          >
                            {t('manager.counters.release')}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <TodayPanel token={device.token} online={connection.status === 'online'} seq={connection.model?.seq ?? null} />
        </div>
        <aside className="manager__side">
          {!staff && <ManagerSignIn onSignIn={(login, password) => signIn(login, password)} disabled={connection.status !== 'online'} />}
          <AssistPanel
            requests={assists}
            now={now}
            timeZone={timeZone}
            canAct={canAct}
            signedIn={staff !== null}
            onHandle={(request) =>
              act(
                sendManagerCommand(socket, 'assist:handle', { requestId: request.id }),
                t('manager.assist.taken', { device: request.deviceName }),
                (reason) => t('manager.assist.notTaken', { device: request.deviceName, reason }),
              )
            }
          />
          <ServicesPanel
            services={snapshot?.services ?? []}
            counters={counters}
            canAct={canAct}
            signedIn={staff !== null}
            onPause={(service, reason) =>
              // a refusal is said on the page too: the dialog may be gone by now (closed, or the service paused meanwhile)
              act(
                sendManagerCommand(socket, 'service:pause-issuing', { serviceId: service.id, reason }),
                t('manager.queue.pausedNotice', { service: name(service.names), reason }),
                (why) => t('manager.queue.notPaused', { service: name(service.names), reason: why }),
              )
            }
            onResume={(service) =>
              act(
                sendManagerCommand(socket, 'service:resume-issuing', { serviceId: service.id }),
                t('manager.queue.resumedNotice', { service: name(service.names) }),
                (reason) => t('manager.queue.notResumed', { service: name(service.names), reason }),
              )
            }
          />
          <section className="panel" aria-labelledby="health-title">
            <h2 id="health-title">{t('manager.health.title')}</h2>
            {faults.length === 0 ? (
              <p className="muted">{health.size === 0 ? t('manager.health.noReports') : t('manager.health.none', { count: health.size })}</p>
            ) : (
              <ul className="manager__list">
                {faults.map((h) => (
                  <li key={h.deviceId}>
                    <span className={`manager__health manager__health--${h.report.status}`}>{t(`manager.health.status.${h.report.status}`)}</span> <b>{h.deviceName}</b>{' '}
                    {h.report.problem?.message ?? ''}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </aside>
      </main>
      {adjusting && (
        <CounterServicesDialog
          disabled={!canAct}
          seen={adjusting}
          counter={counters.find((c) => c.id === adjusting.id) ?? adjusting}
          services={snapshot?.services ?? []}
          onClose={closeAdjust}
          onSave={(services) =>
            // refused (COUNTER_CHANGED) if another manager, or the close of the day, changed them since the dialog opened
            changeServices(adjusting, sendManagerCommand(socket, 'counter:set-services', { counterId: adjusting.id, services, expectedSetAt: adjusting.servicesSetAt }))
          }
          onReset={() => changeServices(adjusting, sendManagerCommand(socket, 'counter:reset-services', { counterId: adjusting.id, expectedSetAt: adjusting.servicesSetAt }))}
        />
      )}
      {releasing && (
        <ReleaseDialog
          disabled={!canAct}
          seen={releasing}
          counter={counters.find((c) => c.id === releasing.id) ?? releasing}
          counters={counters}
          onClose={closeRelease}
          onRelease={async (toCounterId) => {
            // refused (COUNTER_CHANGED) if the visitor there is no longer the one the dialog showed
            const expectedTicketId = releasing.current?.id ?? null;
            const answer = await sendManagerCommand(
              socket,
              'counter:release',
              toCounterId ? { counterId: releasing.id, toCounterId, expectedTicketId } : { counterId: releasing.id, expectedTicketId },
            );
            if (!answer.ok) {
              lostSignIn(answer.error);
              return answer.error;
            }
            const counterName = t('common.counterNumber', { number: releasing.number });
            const ticket = answer.data.ticket;
            const destination = ticket?.to;
            const to = typeof destination === 'object' ? counters.find((c) => c.id === destination.counterId) : undefined;
            setNotice({
              kind: 'ok',
              text: !ticket
                ? t('manager.release.done', { counter: counterName })
                : to
                  ? t('manager.release.doneToCounter', { counter: counterName, number: ticket.number, to: t('common.counterNumber', { number: to.number }) })
                  : t('manager.release.doneToQueue', { counter: counterName, number: ticket.number }),
            });
            setReleasing(null);
            return null;
          }}
        />
      )}
    </div>
  );
}

function ManagerSignIn({ onSignIn, disabled }: { onSignIn: (login: string, password: string) => Promise<ClientError | null>; disabled: boolean }) {
  const { t } = useTranslation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    const refused = await onSignIn(login.trim(), password);
    setPending(false);
    setError(refused);
    if (!refused) setPassword('');
  };
  return (
    <form className="panel manager__sign-in" onSubmit={(e) => void submit(e)} aria-labelledby="manager-sign-in-title">
      <h2 id="manager-sign-in-title">{t('manager.signIn.title')}</h2>
      <p className="muted">{t('manager.signIn.intro')}</p>
      <CredentialFields login={login} onLogin={setLogin} password={password} onPassword={setPassword} error={error} focus={null} />
      <button type="submit" className="btn btn--primary" disabled={pending || disabled}>
        {pending ? t('manager.signIn.signingIn') : t('manager.signIn.submit')}
      </button>
    </form>
  );
}

/** True when the counter's clerk or visitor is no longer what the manager saw when the dialog opened. */
const changedSince = (seen: CounterPublicView, now: CounterPublicView) =>
  (seen.current?.id ?? null) !== (now.current?.id ?? null) || seen.staff?.staffNo !== now.staff?.staffNo || seen.status !== now.status;

function ReleaseDialog({
  disabled,
  seen,
  counter,
  counters,
  onClose,
  onRelease,
}: {
  /** the manager cannot act now (offline, or the sign-in not yet continued after a reconnect) */
  disabled: boolean;
  /** the counter as it was when the dialog opened: what the manager decided on */
  seen: CounterPublicView;
  /** the counter now */
  counter: CounterPublicView;
  counters: CounterPublicView[];
  onClose: () => void;
  onRelease: (toCounterId: string | null) => Promise<ClientError | null>;
}) {
  const { t } = useTranslation();
  const [target, setTarget] = useState<'queue' | 'counter'>('queue');
  const [toCounterId, setToCounterId] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const others = useMemo(() => counters.filter((c) => c.id !== counter.id), [counters, counter.id]);
  const counterName = t('common.counterNumber', { number: counter.number });
  const ticket = seen.current;
  const changed = changedSince(seen, counter);
  const confirm = async () => {
    setPending(true);
    setError(await onRelease(ticket && target === 'counter' ? toCounterId : null));
    setPending(false);
  };
  return (
    <Dialog title={t('manager.release.title', { counter: counterName })} onClose={onClose}>
      <div className="manager__release" data-testid="release-dialog">
        <p>{t('manager.release.intro', { counter: counterName, clerk: seen.staff?.name ?? '—' })}</p>
        {!ticket ? (
          <p className="muted">{t('manager.release.noTicket')}</p>
        ) : (
          <fieldset className="manager__choice">
            <legend>{t('manager.release.ticketIntro', { number: ticket.number, state: t(`counter.status.${seen.status}`) })}</legend>
            <label>
              <input type="radio" name="release-target" checked={target === 'queue'} onChange={() => setTarget('queue')} /> {t('manager.release.toQueue')}
            </label>
            <label>
              <input type="radio" name="release-target" checked={target === 'counter'} onChange={() => setTarget('counter')} /> {t('manager.release.toCounter')}
              <select
                aria-label={t('manager.release.chooseCounter')}
                value={toCounterId}
                onChange={(e) => {
                  setToCounterId(e.target.value);
                  setTarget('counter');
                }}
              >
                <option value="">{t('manager.release.chooseCounter')}</option>
                {others.map((c) => (
                  <option key={c.id} value={c.id}>
                    {t('manager.release.option', { counter: t('common.counterNumber', { number: c.number }), name: c.name, status: t(`counter.status.${c.status}`) })}
                  </option>
                ))}
              </select>
            </label>
          </fieldset>
        )}
        {changed && (
          <p className="notice notice--warn" role="alert" data-testid="release-changed">
            {counter.status === 'signed_out' ? t('manager.release.alreadyFree') : t('manager.release.changed')}
          </p>
        )}
        <ErrorLine error={error} />
        <div className="manager__dialog-actions">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="btn btn--danger"
            disabled={disabled || pending || changed || (ticket !== null && target === 'counter' && !toCounterId)}
            onClick={() => void confirm()}
          >
            {t('manager.release.confirm')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
