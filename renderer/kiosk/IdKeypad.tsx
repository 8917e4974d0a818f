// On-screen keypad for a mainland ID number: digits and X, checked as typed (GB 11643 checksum and birth date).
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ageOn, birthDateOf, idNumberProblem, normaliseIdNumber, type IdNumberProblem } from '../../shared/id-number.ts';

export const ID_LENGTH = 18;

export interface IdCheck {
  complete: boolean;
  problem: IdNumberProblem | null;
  /** age on the hall's business date, once the birth date is readable */
  age: number | null;
}

/** What the keypad knows about a partly typed ID number. */
export function checkTypedId(raw: string, businessDate: string): IdCheck {
  const id = normaliseIdNumber(raw);
  const birth = id.length >= 14 ? birthDateOf(id) : null;
  const age = birth ? ageOn(birth, businessDate) : null;
  if (id.length < ID_LENGTH) {
    // The birth date is known after 14 characters: say so early rather than at the end.
    const problem = id.length >= 14 && (!birth || age === null || age < 0 || age > 130) ? 'ID_BIRTH_DATE' : null;
    return { complete: false, problem, age };
  }
  const problem = idNumberProblem(id);
  return { complete: true, problem: problem ?? (age === null || age < 0 || age > 130 ? 'ID_BIRTH_DATE' : null), age };
}

/** 110105194912310021 → "110105 19491231 0021" for reading back. */
function grouped(id: string): string {
  return [id.slice(0, 6), id.slice(6, 14), id.slice(14)].filter(Boolean).join(' ');
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'X', '0', 'DEL'] as const;

export function IdKeypad({ value, onChange, check }: { value: string; onChange: (next: string) => void; check: IdCheck }) {
  const { t } = useTranslation();
  const press = (key: (typeof KEYS)[number] | 'CLEAR') => {
    if (key === 'DEL') onChange(value.slice(0, -1));
    else if (key === 'CLEAR') onChange('');
    else if (value.length < ID_LENGTH) onChange(value + key);
  };
  const allowed = (key: (typeof KEYS)[number]) => {
    if (key === 'DEL') return value.length > 0;
    if (key === 'X') return value.length === ID_LENGTH - 1;
    return value.length < ID_LENGTH;
  };

  // A physical keyboard (or an ID scanner that types) works too.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement) return;
      const k = e.key.toUpperCase();
      if (/^[0-9]$/.test(k) || (k === 'X' && value.length === ID_LENGTH - 1)) {
        if (value.length < ID_LENGTH) onChange(value + k);
      } else if (k === 'BACKSPACE') onChange(value.slice(0, -1));
      else if (k === 'ESCAPE' || k === 'DELETE') onChange('');
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [value, onChange]);

  const state = check.problem ? 'error' : check.complete ? 'valid' : 'typing';
  return (
    <div className="keypad">
      <output className={`keypad__display keypad__display--${state}`} aria-label={t('kiosk.keypad.display')} aria-live="polite" data-testid="id-display">
        {grouped(value) || '\u00a0'}
      </output>
      <p className={`keypad__status keypad__status--${state}`} role={check.problem ? 'alert' : undefined} data-testid="id-status">
        {check.problem ? t(`errors.${check.problem}`) : check.complete ? `✓ ${t('kiosk.keypad.valid')}` : t('kiosk.keypad.count', { count: value.length })}
      </p>
      <div className="keypad__keys">
        {KEYS.map((key) => (
          <button
            key={key}
            type="button"
            className={`keypad__key ${key === 'DEL' ? 'keypad__key--fn' : ''}`}
            disabled={!allowed(key)}
            aria-label={key === 'DEL' ? t('kiosk.keypad.deleteLabel') : key === 'X' ? t('kiosk.keypad.x') : t('kiosk.keypad.digit', { digit: key })}
            onClick={() => press(key)}
          >
            {key === 'DEL' ? t('kiosk.keypad.delete') : key}
          </button>
        ))}
      </div>
      <button type="button" className="btn btn--ghost keypad__clear" disabled={!value} aria-label={t('kiosk.keypad.clearLabel')} onClick={() => press('CLEAR')}>
        {t('kiosk.keypad.clear')}
      </button>
    </div>
  );
}
