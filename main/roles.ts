// What each role of the shell is: which page it opens, which device token it pairs with, how locked down it is.
import type { DeviceKind } from '../shared/protocol.ts';
import { SCREEN_DEVICE_KINDS, type ScreenRole, type ShellRole } from '../shared/electron-api.ts';

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
  kiosk: { pagePath: '/kiosk/', deviceKinds: SCREEN_DEVICE_KINDS.kiosk, lockedDown: true, soundWithoutGesture: true, prints: true },
  // A clerk's PC also runs the government business systems, so the counter terminal is an ordinary window.
  counter: { pagePath: '/counter/', deviceKinds: SCREEN_DEVICE_KINDS.counter, lockedDown: false, soundWithoutGesture: false, prints: false },
  display: { pagePath: '/display/', deviceKinds: SCREEN_DEVICE_KINDS.display, lockedDown: true, soundWithoutGesture: true, prints: false },
  'counter-display': { pagePath: '/counter-display/', deviceKinds: SCREEN_DEVICE_KINDS['counter-display'], lockedDown: true, soundWithoutGesture: true, prints: false },
  evaluator: { pagePath: '/evaluator/', deviceKinds: SCREEN_DEVICE_KINDS.evaluator, lockedDown: true, soundWithoutGesture: true, prints: false },
  manager: { pagePath: '/manager/', deviceKinds: SCREEN_DEVICE_KINDS.manager, lockedDown: false, soundWithoutGesture: false, prints: false },
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
