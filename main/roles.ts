// What each role of the shell is: which page it opens, which device token it pairs with, how locked down it is.
import type { DeviceKind } from '../shared/protocol.ts';
import type { ScreenRole, ShellRole } from '../shared/electron-api.ts';

export interface ScreenTraits {
  /** path of the built page on the hall server */
  pagePath: string;
  /** device kinds whose token this screen accepts, tried in order */
  deviceKinds: readonly DeviceKind[];
  /** public-facing machine: kiosk mode, no way out, no sleep, auto-start */
  lockedDown: boolean;
  /** plays voice announcements without a click */
  soundWithoutGesture: boolean;
  /** prints tickets */
  prints: boolean;
}

export const SCREEN_TRAITS = {
  kiosk: { pagePath: '/kiosk/', deviceKinds: ['kiosk'], lockedDown: true, soundWithoutGesture: true, prints: true },
  // A clerk's PC also runs the government business systems, so the counter terminal is an ordinary window.
  counter: { pagePath: '/counter/', deviceKinds: ['counter'], lockedDown: false, soundWithoutGesture: false, prints: false },
  display: { pagePath: '/display/', deviceKinds: ['display'], lockedDown: true, soundWithoutGesture: true, prints: false },
  // There is no counter-display device kind: a counter display pairs with a display token (read-only),
  // or with its counter's token where the hall has not issued a separate one.
  'counter-display': { pagePath: '/counter-display/', deviceKinds: ['display', 'counter'], lockedDown: true, soundWithoutGesture: true, prints: false },
  evaluator: { pagePath: '/evaluator/', deviceKinds: ['evaluator'], lockedDown: true, soundWithoutGesture: true, prints: false },
  manager: { pagePath: '/manager/', deviceKinds: ['manager'], lockedDown: false, soundWithoutGesture: false, prints: false },
} as const satisfies Record<ScreenRole, ScreenTraits>;

/** The screen a role shows: an all-in-one machine shows the screen chosen in its config (the kiosk by default). */
export function screenOf(role: ShellRole, screen: ScreenRole | undefined): ScreenRole {
  return role === 'all-in-one' ? (screen ?? 'kiosk') : role;
}

export function traitsOf(screen: ScreenRole): ScreenTraits {
  return SCREEN_TRAITS[screen];
}

/** The hall page for a screen; a counter display names its counter in the query. */
export function pageUrl(serverUrl: string, screen: ScreenRole, counterNumber: number | null): string {
  const url = new URL(SCREEN_TRAITS[screen].pagePath, serverUrl);
  if (screen === 'counter-display' && counterNumber !== null) url.searchParams.set('counter', String(counterNumber));
  return url.toString();
}
