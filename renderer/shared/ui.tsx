// Pieces every screen shares: connection badge, language switch, clock, device pairing gate.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionStatus } from './connection.ts';
import { clearToken, readToken, saveToken, type ScreenRole } from './device-token.ts';
import { currentLanguage, setLanguage } from './i18n.ts';

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

/** Shown when the server refused this device's token: says why in words and offers to pair again. */
export function RefusedBanner({ refusal, onRepair }: { refusal: string | null; onRepair: () => void }) {
  const { t } = useTranslation();
  if (!refusal) return null;
  return (
    <div className="refused-banner" role="alert">
      <span>{t('pairing.rejected', { reason: t(`errors.${refusal}`) })}</span>
      <button type="button" className="btn btn--light" onClick={onRepair}>
        {t('pairing.repair')}
      </button>
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
