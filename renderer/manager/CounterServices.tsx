// 潮汐窗口 on the dashboard: what each counter calls for, and (a hall manager signed in) a dialog that
// changes it for the day — a counter that usually does other work takes on a service whose queue grows,
// as its main work or as backup — or gives it the catalogue's services back. The change holds until the
// close of the day (docs/protocol.md, counter:set-services).
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { sameServices } from '../../shared/catalogue.ts';
import type { CounterPublicView, CounterServiceLevel, ServiceLevel, ServiceView } from '../../shared/protocol.ts';
import type { ClientError } from '../shared/connection.ts';
import { Dialog } from '../shared/Dialog.tsx';
import { servicesKeyOf } from '../shared/hall-model.ts';
import { useLocalised } from '../shared/i18n.ts';
import { ErrorLine, formatClock } from '../shared/ui.tsx';

type Choice = ServiceLevel | 'none';

/** service id → how the counter calls for it now */
function choicesOf(counter: CounterPublicView): Map<string, ServiceLevel> {
  const backup = new Set(counter.backupServiceIds);
  return new Map(counter.serviceIds.map((id) => [id, backup.has(id) ? 'backup' : 'primary']));
}

/** The counters table's line under a counter's name: how many services it calls for, and whether a manager changed them today. */
export function CounterServicesSummary({ counter, timeZone }: { counter: CounterPublicView; timeZone: string }) {
  const { t } = useTranslation();
  const backup = counter.backupServiceIds.length;
  return (
    <span className="manager__counter-services" data-testid={`counter-services-${counter.number}`}>
      {t('manager.services.summary', { primary: counter.serviceIds.length - backup, backup })}
      {counter.servicesSetAt !== null && (
        <span className="manager__adjusted">{t('manager.services.adjusted', { time: formatClock(counter.servicesSetAt, timeZone, false) })}</span>
      )}
    </span>
  );
}

export function CounterServicesDialog({
  disabled,
  seen,
  counter,
  services,
  onClose,
  onSave,
  onReset,
}: {
  /** the manager cannot act now (offline, or the sign-in not yet continued after a reconnect) */
  disabled: boolean;
  /** the counter as it was when the dialog opened: what the manager changes */
  seen: CounterPublicView;
  /** the counter now */
  counter: CounterPublicView;
  services: ServiceView[];
  onClose: () => void;
  onSave: (services: CounterServiceLevel[]) => Promise<ClientError | null>;
  onReset: () => Promise<ClientError | null>;
}) {
  const { t } = useTranslation();
  const name = useLocalised();
  const initial = useMemo(() => choicesOf(seen), [seen]);
  const [choices, setChoices] = useState<Map<string, ServiceLevel>>(initial);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const counterName = t('common.counterNumber', { number: counter.number });
  // what the counter calls for changed since the dialog showed it (another manager, the close of the day)
  const changed = servicesKeyOf(seen) !== servicesKeyOf(counter);
  const chosen: CounterServiceLevel[] = services.flatMap((s) => {
    const level = choices.get(s.id);
    return level ? [{ serviceId: s.id, level }] : [];
  });
  const unchanged = sameServices(chosen, [...initial].map(([serviceId, level]) => ({ serviceId, level })));
  const send = async (command: () => Promise<ClientError | null>) => {
    setPending(true);
    setError(await command());
    setPending(false);
  };
  const choose = (serviceId: string, choice: Choice) =>
    setChoices((map) => {
      const next = new Map(map);
      if (choice === 'none') next.delete(serviceId);
      else next.set(serviceId, choice);
      return next;
    });
  return (
    <Dialog title={t('manager.services.title', { counter: counterName })} onClose={onClose}>
      <div className="manager__services-dialog" data-testid="services-dialog">
        <p className="muted">{t('manager.services.intro', { counter: counterName })}</p>
        <table className="manager__services-table">
          <thead>
            <tr>
              <th scope="col">{t('manager.services.service')}</th>
              <th scope="col">{t('manager.services.level')}</th>
              <th scope="col">{t('manager.services.waiting')}</th>
            </tr>
          </thead>
          <tbody>
            {services.map((s) => {
              const serviceName = `${s.prefix} · ${name(s.names)}`;
              return (
                <tr key={s.id}>
                  <th scope="row">{serviceName}</th>
                  <td>
                    <select
                      aria-label={t('manager.services.levelLabel', { service: serviceName })}
                      value={choices.get(s.id) ?? 'none'}
                      onChange={(e) => choose(s.id, e.target.value as Choice)}
                      data-service={s.id}
                    >
                      <option value="none">{t('manager.services.levels.none')}</option>
                      <option value="primary">{t('manager.services.levels.primary')}</option>
                      <option value="backup">{t('manager.services.levels.backup')}</option>
                    </select>
                  </td>
                  <td className="manager__services-waiting">{t('common.people', { count: s.waiting })}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {chosen.length === 0 && <p className="notice notice--warn">{t('manager.services.noneChosen')}</p>}
        {changed && (
          <p className="notice notice--warn" role="alert" data-testid="services-changed">
            {t('manager.services.changed')}
          </p>
        )}
        <ErrorLine error={error} />
        <div className="manager__dialog-actions">
          {seen.servicesSetAt !== null && (
            <button type="button" className="btn btn--secondary" disabled={disabled || pending || changed} onClick={() => void send(onReset)}>
              {t('manager.services.reset')}
            </button>
          )}
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="btn btn--primary"
            disabled={disabled || pending || changed || chosen.length === 0 || unchanged}
            onClick={() => void send(() => onSave(chosen))}
          >
            {t('manager.services.save')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
