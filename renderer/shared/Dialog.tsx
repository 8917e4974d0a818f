// A small modal dialog: labelled, traps nothing fancy, closes on Escape, focuses its first control.
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  // the latest onClose, so a caller passing a new function on every render (a screen re-rendered by each
  // hall:update) does not re-run the effect below, which would pull the focus back to the first control
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.querySelector<HTMLElement>('.dialog__body button, .dialog__body input, .dialog__body select')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      // back where the dialog was opened from, unless that control is gone meanwhile
      if (previous?.isConnected) previous.focus();
    };
  }, []);
  return (
    <div className="dialog-backdrop" onClick={(e) => e.target === e.currentTarget && close.current()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" ref={ref}>
        <div className="dialog__head">
          <h2 id="dialog-title">{title}</h2>
          <button type="button" className="btn btn--ghost" onClick={() => close.current()}>
            {t('common.cancel')}
          </button>
        </div>
        <div className="dialog__body">{children}</div>
      </div>
    </div>
  );
}
