// 窗口屏: above one counter: its number and name, the ticket being served, 暂停服务 while paused, the clerk.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallView } from '../../shared/protocol.ts';
import { useHallConnection } from '../shared/connection.ts';
import { useLocalised } from '../shared/i18n.ts';
import { Clock, ConnectionBadge, DeviceGate, RefusedBanner, useNow, type PairedDevice } from '../shared/ui.tsx';

/** The counter shown: the Electron shell's counter number when it has one, else `?counter=` in the address. */
function readSettings(shellCounter: number | null): { counter: number | null; showStaff: boolean } {
  const q = new URLSearchParams(location.search);
  const n = shellCounter ?? Number(q.get('counter'));
  return { counter: Number.isInteger(n) && n > 0 ? n : null, showStaff: q.get('staff') !== '0' };
}

export function CounterDisplayPage() {
  return <DeviceGate role="counter-display">{(device) => <CounterDisplay device={device} />}</DeviceGate>;
}

const FLASH_MS = 4_000;

function CounterDisplay({ device }: { device: PairedDevice }) {
  const { token, onRepair, counterNumber } = device;
  const { t } = useTranslation();
  const name = useLocalised();
  const settings = useMemo(() => readSettings(counterNumber), [counterNumber]);
  const [flashAt, setFlashAt] = useState(0);
  const connection = useHallConnection({
    namespace: '/display',
    token,
    onCall: (call: CallView) => {
      if (call.counter.number === settings.counter) setFlashAt(Date.now());
    },
  });
  const snapshot = connection.model?.snapshot ?? null;
  const counter = snapshot?.counters.find((c) => c.number === settings.counter) ?? null;
  const now = useNow(1_000);
  const flashing = now - flashAt < FLASH_MS;

  useEffect(() => {
    document.title = settings.counter ? `${t('common.counterNumber', { number: settings.counter })} · ${t('counterDisplay.title')}` : t('counterDisplay.title');
  }, [t, settings.counter]);

  let content;
  if (settings.counter === null) {
    content = <p className="cd__message">{t('counterDisplay.chooseCounter')}</p>;
  } else if (!snapshot) {
    content = <p className="cd__message">{t(`connection.${connection.status}`)}</p>;
  } else if (!counter) {
    content = <p className="cd__message">{t('counterDisplay.notFound', { counter: settings.counter })}</p>;
  } else if (counter.status === 'paused' || counter.status === 'signed_out') {
    content = (
      <div className="cd__state cd__state--paused" data-testid="cd-state">
        <p className="cd__paused">{t('counterDisplay.paused')}</p>
        <p className="cd__hint">{counter.status === 'paused' && counter.pauseReason ? counter.pauseReason : t('counterDisplay.closedHint')}</p>
      </div>
    );
  } else if (counter.current) {
    content = (
      <div className={`cd__state cd__state--${counter.status} ${flashing ? 'cd__state--flash' : ''}`} data-testid="cd-state">
        <p className="cd__label">{counter.status === 'calling' ? t('display.nowCalling') : t('counterDisplay.serving')}</p>
        <p className="cd__number" data-testid="cd-number">
          {counter.current.number}
        </p>
        <p className="cd__service">{name(snapshot.services.find((s) => s.id === counter.current?.serviceId)?.names)}</p>
      </div>
    );
  } else {
    content = (
      <div className="cd__state cd__state--idle" data-testid="cd-state">
        <p className="cd__welcome">{t('counterDisplay.welcome')}</p>
        <p className="cd__hint">{t('counterDisplay.idle')}</p>
      </div>
    );
  }

  return (
    <div className="cd">
      <header className="cd__head">
        <div className="cd__counter">
          <span className="cd__counter-number">{settings.counter ?? '–'}</span>
          <span className="cd__counter-unit">{t('counter.counterUnit')}</span>
        </div>
        <div className="cd__titles">
          <h1>{counter?.name ?? t('counterDisplay.title')}</h1>
          <p>{name(snapshot?.hall.name)}</p>
        </div>
        <div className="cd__meta">
          <Clock timeZone={snapshot?.hall.timeZone ?? 'Asia/Shanghai'} offsetMs={connection.model?.clockOffsetMs ?? 0} withSeconds={false} />
          <ConnectionBadge status={connection.status} />
        </div>
      </header>
      <RefusedBanner refusal={connection.status === 'refused' ? connection.refusal : null} onRepair={onRepair} />
      <main className="cd__body" aria-live="polite">
        {content}
      </main>
      {settings.showStaff && counter?.staff && counter.status !== 'signed_out' && (
        <footer className="cd__staff" data-testid="cd-staff">
          {t('counterDisplay.staff', { name: counter.staff.name, staffNo: counter.staff.staffNo })}
        </footer>
      )}
    </div>
  );
}
