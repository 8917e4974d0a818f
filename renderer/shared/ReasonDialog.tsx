// Choosing why something stops: a counter's pause, a service's issuing. A few common reasons as big
// buttons, or the manager's or clerk's own words (at most 60 characters; the server refuses anything that
// looks like an ID or phone number, since the reason is shown on screens and kept in the audit trail).
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from './Dialog.tsx';

export function ReasonDialog({
  title,
  reasons,
  otherTitle,
  otherLabel,
  disabled = false,
  children,
  onClose,
  onChoose,
}: {
  title: string;
  reasons: readonly string[];
  /** the caption over the free-text field, and its accessible name */
  otherTitle: string;
  otherLabel: string;
  /** every choice disabled (offline, a command pending) */
  disabled?: boolean;
  /** shown under the choices: an introduction, an error */
  children?: ReactNode;
  onClose: () => void;
  onChoose: (reason: string) => void;
}) {
  const { t } = useTranslation();
  const [other, setOther] = useState('');
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="choice-grid">
        {reasons.map((reason) => (
          <button key={reason} type="button" className="btn btn--primary btn--large" disabled={disabled} onClick={() => onChoose(reason)}>
            {reason}
          </button>
        ))}
      </div>
      <form
        className="reason-other"
        onSubmit={(e) => {
          e.preventDefault();
          if (other.trim() && !disabled) onChoose(other.trim());
        }}
      >
        <label className="field">
          <span>{otherTitle}</span>
          <input value={other} maxLength={60} onChange={(e) => setOther(e.target.value)} aria-label={otherLabel} />
        </label>
        <button type="submit" className="btn btn--secondary" disabled={disabled || !other.trim()}>
          {t('common.confirm')}
        </button>
      </form>
      {children}
    </Dialog>
  );
}
