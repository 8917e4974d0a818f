// Pieces every screen shares: connection badge, language switch, clock, device pairing gate.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { shellError, type HallShellApi, type ShellDevice, type ShellError } from '../../shared/electron-api.ts';
import type { ClientError, ConnectionStatus } from './connection.ts';
import { clearToken, readToken, saveToken, type ScreenRole } from './device-token.ts';
import { currentLanguage, setLanguage } from './i18n.ts';
import { hallShell, readShellDevice, shellMessage } from './shell.ts';

export function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const { t } = useTranslation();
  const text = t(`connection.${status}`);
  return (
    <div className={`connection connection--${status}`} role="status" aria-live="polite" aria-label={t('connection.label', { state: text })} data-connection={status}>
      <span className="connection__dot" aria-hidden="true" />
      {text}
    </div>
  );
}

export function LanguageSwitch() {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="language-switch"
      aria-label={t('common.switchLanguageLabel')}
      onClick={() => setLanguage(currentLanguage() === 'en' ? 'zh-CN' : 'en')}
    >
      {t('common.switchLanguage')}
    </button>
  );
}

/** Local time, corrected by the server's clock offset, in the hall's time zone. */
export function useNow(intervalMs = 1_000, offsetMs = 0): number {
  const [now, setNow] = useState(() => Date.now() + offsetMs);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now() + offsetMs), intervalMs);
    setNow(Date.now() + offsetMs);
    return () => window.clearInterval(timer);
  }, [intervalMs, offsetMs]);
  return now;
}

export function formatClock(epochMs: number, timeZone: string, withSeconds = true): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(epochMs);
}

export function formatDate(epochMs: number, timeZone: string, language: string): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
  }).format(epochMs);
}

/** 65_000 → "1:05"; 3_700_000 → "1:01:40" */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function Clock({ timeZone, offsetMs, withSeconds = true }: { timeZone: string; offsetMs: number; withSeconds?: boolean }) {
  const now = useNow(1_000, offsetMs);
  return (
    <time className="clock" dateTime={new Date(now).toISOString()}>
      {formatClock(now, timeZone, withSeconds)}
    </time>
  );
}

/** This screen's token and how to change it; null until the device is paired. */
export function usePairedToken(role: ScreenRole): { token: string | null; pair: (token: string) => void; unpair: () => void } {
  const [token, setToken] = useState(() => readToken(role));
  return {
    token,
    pair: (value) => {
      saveToken(role, value);
      setToken(value);
    },
    unpair: () => {
      clearToken(role);
      setToken(null);
    },
  };
}

/** What a paired screen knows about its machine, from local storage or from the Electron shell. */
export interface PairedDevice {
  token: string;
  /** counter displays: the shell's counter number (null in a browser, where `?counter=` decides) */
  counterNumber: number | null;
  /** the shell's API when running inside it; null in an ordinary browser */
  shell: HallShellApi | null;
  /** whether the shell prints tickets on this machine */
  canPrint: boolean;
  /** forget the token and show the pairing form again; null inside the shell, whose own setup pairs the machine */
  onRepair: (() => void) | null;
}

type ShellLoad = { kind: 'loading' } | { kind: 'ready'; device: ShellDevice } | { kind: 'failed'; error: ShellError };

/**
 * Gives the screen its token. Inside the Electron shell the token (and counter number, and whether it prints) comes
 * from `hallShell.device()` and the pairing form never appears; in a browser it comes from local storage, and a
 * screen without one shows the pairing form.
 */
export function DeviceGate({ role, children }: { role: ScreenRole; children: (device: PairedDevice) => ReactNode }) {
  const [shell] = useState(hallShell);
  if (shell) return <ShellDeviceGate shell={shell}>{children}</ShellDeviceGate>;
  return <BrowserDeviceGate role={role}>{children}</BrowserDeviceGate>;
}

function BrowserDeviceGate({ role, children }: { role: ScreenRole; children: (device: PairedDevice) => ReactNode }) {
  const { token, pair, unpair } = usePairedToken(role);
  if (!token) return <PairingForm role={role} onPaired={pair} />;
  return children({ token, counterNumber: null, shell: null, canPrint: false, onRepair: unpair });
}

function ShellDeviceGate({ shell, children }: { shell: HallShellApi; children: (device: PairedDevice) => ReactNode }) {
  const { t } = useTranslation();
  const [load, setLoad] = useState<ShellLoad>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setLoad({ kind: 'loading' });
    void readShellDevice(shell).then((answer) => {
      if (!live) return;
      if (answer.ok && answer.data.token.trim()) setLoad({ kind: 'ready', device: answer.data });
      else setLoad({ kind: 'failed', error: answer.ok ? shellError('NOT_CONFIGURED') : answer.error });
    });
    return () => {
      live = false;
    };
  }, [shell, attempt]);

  if (load.kind === 'ready') {
    const { device } = load;
    return children({ token: device.token.trim(), counterNumber: device.counterNumber, shell, canPrint: device.canPrint, onRepair: null });
  }
  return (
    <main className="pairing">
      <div className="pairing__card" data-testid="shell-device">
        <div className="pairing__top">
          <h1>{t('common.appName')}</h1>
          <LanguageSwitch />
        </div>
        {load.kind === 'loading' ? (
          <p role="status">{t('shell.loading')}</p>
        ) : (
          <>
            <p role="alert">{t('shell.deviceFailed', { reason: shellMessage(load.error, currentLanguage()) })}</p>
            <button type="button" className="btn btn--primary btn--wide" onClick={() => setAttempt((n) => n + 1)}>
              {t('shell.retry')}
            </button>
          </>
        )}
      </div>
    </main>
  );
}

/**
 * Shown when the server refused this device's token: says why in words and offers to pair again (in a browser),
 * or says that the machine's own setup has to pair it again (inside the shell, `onRepair` null).
 */
export function RefusedBanner({ refusal, onRepair }: { refusal: string | null; onRepair: (() => void) | null }) {
  const { t } = useTranslation();
  if (!refusal) return null;
  return (
    <div className="refused-banner" role="alert">
      <span>{t('pairing.rejected', { reason: t(`errors.${refusal}`) })}</span>
      {onRepair ? (
        <button type="button" className="btn btn--light" onClick={onRepair}>
          {t('pairing.repair')}
        </button>
      ) : (
        <span>{t('shell.repairInSetup')}</span>
      )}
    </div>
  );
}

export function PairingForm({ role, onPaired }: { role: ScreenRole; onPaired: (token: string) => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onPaired(value.trim());
  };
  return (
    <main className="pairing">
      <form className="pairing__card" onSubmit={submit} aria-labelledby="pairing-title">
        <div className="pairing__top">
          <h1 id="pairing-title">{t('pairing.title')}</h1>
          <LanguageSwitch />
        </div>
        <p>{t('pairing.intro', { role: t(`pairing.roles.${role}`) })}</p>
        <label className="field">
          <span>{t('pairing.tokenLabel')}</span>
          <input name="token" autoComplete="off" spellCheck={false} value={value} onChange={(e) => setValue(e.target.value)} required />
        </label>
        <button type="submit" className="btn btn--primary btn--wide">
          {t('pairing.submit')}
        </button>
        <p className="pairing__hint">{t('pairing.hint')}</p>
      </form>
    </main>
  );
}

/**
 * The login and password fields of a staff sign-in form (a clerk's at a counter, a manager's on the
 * dashboard), and the refusal under them. `focus`: which field takes the focus when the form opens.
 */
export function CredentialFields({
  login,
  onLogin,
  password,
  onPassword,
  error,
  focus,
}: {
  login: string;
  onLogin: (value: string) => void;
  password: string;
  onPassword: (value: string) => void;
  error: ClientError | null;
  focus: 'login' | 'password' | null;
}) {
  const { t } = useTranslation();
  return (
    <>
      <label className="field">
        <span>{t('common.login')}</span>
        <input name="login" autoComplete="username" value={login} onChange={(e) => onLogin(e.target.value)} required autoFocus={focus === 'login'} />
      </label>
      <label className="field">
        <span>{t('common.password')}</span>
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => onPassword(e.target.value)} required autoFocus={focus === 'password'} />
      </label>
      <ErrorLine error={error} />
    </>
  );
}

/** A refusal said under a form or in a dialog, in words (`text`, when the code alone would say too little). */
export function ErrorLine({ error, text }: { error: ClientError | null; text?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {text ?? t(`errors.${error.code}`)}
    </p>
  );
}
