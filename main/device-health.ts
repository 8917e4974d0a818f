// Reports the device's health to the hall server: POST /api/v1/devices/health with the device's Bearer token.
import { DEVICE_HEALTH_PATH, DeviceHealthReport, type DeviceProblemCode, type ShellRole } from '../shared/electron-api.ts';
import { PROTOCOL_VERSION } from '../shared/protocol.ts';
import type { FetchLike } from './server-watch.ts';

const HEALTH_TIMEOUT_MS = 5_000;

export interface HealthProblem {
  code: DeviceProblemCode;
  message: string;
  ticketNumber?: string;
  printer?: string;
}

export function healthReport(role: ShellRole, appVersion: string, now: number, problem: HealthProblem | null, status?: DeviceHealthReport['status']): DeviceHealthReport {
  return DeviceHealthReport.parse({
    protocolVersion: PROTOCOL_VERSION,
    role,
    appVersion,
    status: status ?? (problem ? 'degraded' : 'ok'),
    at: now,
    problem: problem ? { ...problem, message: problem.message.slice(0, 300) } : null,
  });
}

export type HealthDelivery = { delivered: true } | { delivered: false; status: number | null };

/** Best effort: a hall server without the route (404) or a down network must not disturb the screen. */
export async function sendHealthReport(serverUrl: string, token: string, report: DeviceHealthReport, fetchImpl: FetchLike = fetch): Promise<HealthDelivery> {
  try {
    const response = await fetchImpl(new URL(DEVICE_HEALTH_PATH, serverUrl).toString(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? { delivered: true } : { delivered: false, status: response.status };
  } catch {
    return { delivered: false, status: null };
  }
}
