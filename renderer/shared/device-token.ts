// Where a device paired in a browser keeps its token. Inside the Electron shell the token comes from
// hallShell.device() instead (DeviceGate in ui.tsx) and local storage is not used.
export type ScreenRole = 'kiosk' | 'counter' | 'display' | 'counter-display' | 'manager';

const key = (role: ScreenRole) => `hall.token.${role}`;

export function readToken(role: ScreenRole): string | null {
  try {
    const token = localStorage.getItem(key(role));
    return token && token.trim() ? token.trim() : null;
  } catch {
    return null;
  }
}

export function saveToken(role: ScreenRole, token: string): void {
  localStorage.setItem(key(role), token.trim());
}

export function clearToken(role: ScreenRole): void {
  localStorage.removeItem(key(role));
}
