// First-run setup: check the server address and the pairing token against the hall server, then store them.
import { io } from 'socket.io-client';
import { shellError, type SetupCheck, type SetupInput, type ShellError, type ShellResult } from '../shared/electron-api.ts';
import { NAMESPACES, PROTOCOL_VERSION, type DeviceKind } from '../shared/protocol.ts';
import { screenOf, traitsOf } from './roles.ts';
import { fetchHealth, type FetchLike } from './server-watch.ts';
import { serverOrigin, type ShellConfigFile } from './shell-config.ts';

const PROBE_TIMEOUT_MS = 8_000;

export type TokenProbe = 'ok' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'PROTOCOL_MISMATCH' | 'UNREACHABLE';

/**
 * Asks the hall server whether `token` may open the `kind` namespace, the way a page will:
 * a Socket.IO connection with handshake.auth.token. Disconnects straight away.
 */
export function probeDeviceToken(serverUrl: string, kind: DeviceKind, token: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<TokenProbe> {
  return new Promise((resolve) => {
    const socket = io(new URL(NAMESPACES[kind], serverUrl).toString(), {
      auth: { token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnection: false,
      timeout: timeoutMs,
      forceNew: true,
    });
    const done = (answer: TokenProbe) => {
      socket.removeAllListeners();
      socket.disconnect();
      resolve(answer);
    };
    socket.on('connect', () => done('ok'));
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      const code = typeof err.data === 'object' && err.data !== null ? (err.data as { code?: unknown }).code : undefined;
      // RATE_LIMITED comes only after the token was accepted for this namespace: too many connections
      // on it right now, which the screen rides out by trying again
      if (code === 'RATE_LIMITED') return done('ok');
      done(code === 'UNAUTHORIZED' || code === 'FORBIDDEN' || code === 'PROTOCOL_MISMATCH' ? code : 'UNREACHABLE');
    });
  });
}

export interface SetupDeps {
  fetch?: FetchLike;
  probe?: typeof probeDeviceToken;
}

const fail = (error: ShellError): ShellResult<SetupCheck> => ({ ok: false, error });

/** Checks a setup form: the address answers as a hall server of our protocol, and the token opens this screen's namespace. */
export async function verifySetup(input: SetupInput, deps: SetupDeps = {}): Promise<ShellResult<SetupCheck>> {
  const serverUrl = serverOrigin(input.serverUrl);
  if (!serverUrl) return fail(shellError('INVALID_SERVER_URL'));
  const health = await fetchHealth(serverUrl, deps.fetch ?? fetch);
  if (!health) {
    // Tell "nothing there" apart from "something else there", which is the commoner typo (wrong port).
    const reachable = await (deps.fetch ?? fetch)(serverUrl, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
      async (r) => {
        await r.body?.cancel();
        return true;
      },
      () => false,
    );
    return fail(shellError(reachable ? 'NOT_A_HALL_SERVER' : 'SERVER_UNREACHABLE'));
  }
  if (health.protocolVersion !== PROTOCOL_VERSION) return fail(shellError('PROTOCOL_MISMATCH'));
  const kinds = traitsOf(screenOf(input.role, input.screen)).deviceKinds;
  const probe = deps.probe ?? probeDeviceToken;
  let worst: TokenProbe = 'UNAUTHORIZED';
  for (const kind of kinds) {
    const answer = await probe(serverUrl, kind, input.token);
    if (answer === 'ok') return { ok: true, data: { serverUrl, deviceKind: kind, protocolVersion: health.protocolVersion, businessDate: health.businessDate } };
    // A token of another kind is FORBIDDEN on every namespace but its own; UNAUTHORIZED is the same everywhere.
    if (answer === 'FORBIDDEN' || worst === 'UNAUTHORIZED') worst = answer;
  }
  return fail(shellError(worst === 'UNREACHABLE' ? 'SERVER_UNREACHABLE' : worst));
}

/** The config file a verified setup writes (the token goes to the token store, never here). */
export function configFromSetup(input: SetupInput, check: SetupCheck, previous: ShellConfigFile): ShellConfigFile {
  const { printer: _printer, serverUrl: _serverUrl, screen: _screen, counterNumber: _counter, ...kept } = previous;
  return {
    ...kept,
    role: input.role,
    ...(input.role === 'all-in-one' ? { screen: input.screen ?? 'kiosk' } : { serverUrl: check.serverUrl }),
    ...(input.printerName ? { printer: { name: input.printerName, pageSize: previous.printer?.pageSize ?? 'ticket-80mm' } } : {}),
    ...(input.counterNumber !== undefined ? { counterNumber: input.counterNumber } : {}),
  };
}
