// When the dashboard asks again for something the hall's changes move (today's figures): at once, then
// every `everyMs`, and `afterChangeMs` after a change. A change only ever brings the next request
// forward, never puts it off, so a hall that changes all the time still gets one every `afterChangeMs`
// or so; a change while a request is on its way asks again shortly after it (its answer may predate the
// change). One request at a time. Plain timers, so it is unit-tested with fake ones.
export interface RefreshSchedule {
  /** the hall changed */
  changed(): void;
  stop(): void;
}

export function refreshSchedule(run: () => Promise<void>, everyMs: number, afterChangeMs: number): RefreshSchedule {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dueAt = Number.POSITIVE_INFINITY;
  let inFlight = false;
  let changedMeanwhile = false;
  let stopped = false;
  const due = (ms: number) => {
    const at = Date.now() + ms;
    if (stopped || at >= dueAt) return;
    clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(() => void fire(), ms);
  };
  const fire = async () => {
    timer = undefined;
    dueAt = Number.POSITIVE_INFINITY;
    inFlight = true;
    try {
      await run();
    } catch {
      // the caller says what went wrong; the schedule goes on
    }
    inFlight = false;
    due(changedMeanwhile ? afterChangeMs : everyMs);
    changedMeanwhile = false;
  };
  void fire();
  return {
    changed() {
      if (inFlight) changedMeanwhile = true;
      else due(afterChangeMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
