// Pairing screen: choose what this device is and enter its token; the page for that role opens next.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { readToken, saveToken, type ScreenRole } from '../shared/device-token.ts';
import { LanguageSwitch } from '../shared/ui.tsx';

const ROLES: ScreenRole[] = ['kiosk', 'counter', 'display', 'counter-display', 'manager'];

export function PairPage() {
  const { t } = useTranslation();
  const q = new URLSearchParams(location.search);
  const [role, setRole] = useState<ScreenRole>(ROLES.find((r) => r === q.get('role')) ?? 'kiosk');
  const [token, setToken] = useState(() => readToken(role) ?? '');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    document.title = t('pairing.title');
  }, [t]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) return;
    saveToken(role, token);
    setSaved(true);
  };
  return (
    <main className="pairing">
      <form className="pairing__card" onSubmit={submit} aria-labelledby="pairing-title">
        <div className="pairing__top">
          <h1 id="pairing-title">{t('pairing.title')}</h1>
          <LanguageSwitch />
        </div>
        <label className="field">
          <span>{t('pairing.roleLabel')}</span>
          <select
            value={role}
            onChange={(e) => {
              const next = ROLES.find((r) => r === e.target.value) ?? 'kiosk';
              setRole(next);
              setToken(readToken(next) ?? '');
              setSaved(false);
            }}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`pairing.roles.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('pairing.tokenLabel')}</span>
          <input autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} required />
        </label>
        <button type="submit" className="btn btn--primary btn--wide">
          {t('pairing.submit')}
        </button>
        {saved && (
          <p role="status">
            {t('pairing.saved')}{' '}
            <a href={`/${role}/`}>{t('pairing.open', { role: t(`pairing.roles.${role}`) })}</a>
          </p>
        )}
        <p className="pairing__hint">{t('pairing.hint')}</p>
      </form>
    </main>
  );
}
