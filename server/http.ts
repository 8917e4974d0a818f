// HTTP under /api/v1 (fastify): health, public service list, ticket issuing for integrators, tracking.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hallError, type ErrorCode, type HallError } from '../shared/errors.ts';
import {
  API_PREFIX,
  IssueTicketPayload,
  PROTOCOL_VERSION,
  type DeviceKind,
  type HealthView,
  type ServerTimingsView,
  type PublicServiceView,
} from '../shared/protocol.ts';
import { DeviceHealthReport, SCREEN_DEVICE_KINDS, type ShellRole } from '../shared/electron-api.ts';
import { businessDateOf } from '../shared/hall-time.ts';
import type { Hall } from './hall.ts';
import type { Logger } from './log.ts';
import type { RateLimiter } from './limits.ts';
import { issueTicket } from './realtime.ts';
import { serviceViews, trackView } from './views.ts';

export const MAX_BODY_BYTES = 16 * 1024;

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  ID_FORMAT: 400,
  ID_BIRTH_DATE: 400,
  ID_CHECKSUM: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SERVICE_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  STORE_UNAVAILABLE: 503,
};

export const REQUEST_TIMEOUT_MS = 30_000;

/** An Electron shell's role and the kind of the device whose token it holds (an all-in-one machine: any screen's). */
function roleFitsDevice(role: ShellRole, kind: DeviceKind): boolean {
  return role === 'all-in-one' || (SCREEN_DEVICE_KINDS[role] as readonly DeviceKind[]).includes(kind);
}

/** The screens' content security policy (they are React pages built by Vite: no inline scripts, no eval). */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function sendError(reply: FastifyReply, error: HallError): FastifyReply {
  return reply.code(STATUS_BY_CODE[error.code] ?? 409).send({ error });
}

const TrackParams = z.strictObject({ trackingToken: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) });

export async function createHttpApp(
  hall: Hall,
  options: { log: Logger; staticRoot: string | null; rateLimiter: RateLimiter; timings: () => ServerTimingsView },
) {
  const app = Fastify({
    // per-request lines are info; the hall logs only http warnings and errors
    loggerInstance: options.log.child({ module: 'http' }, { level: 'warn' }),
    bodyLimit: MAX_BODY_BYTES,
    // a request must arrive whole within this (a body sent a byte a minute would hold its connection);
    // it does not limit how long an answer takes, so Socket.IO's long polls are unaffected
    requestTimeout: REQUEST_TIMEOUT_MS,
    return503OnClosing: true,
    // errors the router raises before any handler (bad URL encoding, over-long path parameters)
    frameworkErrors: (err, _req, reply) => {
      const plain = reply as unknown as FastifyReply;
      void plain.code(err.statusCode && err.statusCode < 500 ? err.statusCode : 400).send({ error: hallError('VALIDATION_FAILED') });
    },
  });
  const startedAt = Date.now();

  app.setErrorHandler((err: { statusCode?: number; code?: string }, _req, reply) => {
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, hallError('PAYLOAD_TOO_LARGE'));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendError(reply, hallError('VALIDATION_FAILED'));
    options.log.error({ err }, 'http handler failed');
    return sendError(reply, hallError('INTERNAL'));
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, hallError('NOT_FOUND')));

  // With the diagnostic trace on (server/trace.ts): each request's time, by route pattern.
  const trace = hall.trace;
  if (trace) {
    const started = new WeakMap<object, number>();
    app.addHook('onRequest', async (req) => {
      started.set(req, performance.now());
    });
    // to the answer ready to send, not to the last byte out: the time the request held the loop, which
    // the wait for the socket to take the answer would blur
    app.addHook('onSend', async (req, _reply, payload) => {
      const t = started.get(req);
      if (t !== undefined) trace.http(req.routeOptions.url ?? 'unmatched', t);
      return payload;
    });
  }
  // Every answer: no MIME sniffing, no framing (the clerk's sign-in must not be framed by another
  // site), no referrer (a tracking page's address holds its token). Pages also get a content security
  // policy: scripts only from the hall server, images from it or data: (the ticket's QR code).
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) reply.header('content-security-policy', PAGE_CSP);
    return payload;
  });

  /** The paired, unrevoked device whose token the request carries (`Authorization: Bearer TOKEN`), or null. */
  const deviceOf = (req: FastifyRequest) => {
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const device = token ? hall.store.deviceByToken(token) : null;
    return device && device.revokedAt === null ? device : null;
  };

  app.get(`${API_PREFIX}/health`, async (): Promise<HealthView> => ({
    status: 'ok',
    protocolVersion: PROTOCOL_VERSION,
    seq: hall.state.seq,
    businessDate: businessDateOf(hall.now(), hall.state.settings.timeZone),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    timings: options.timings(),
  }));

  app.get(`${API_PREFIX}/services`, async (): Promise<{ services: PublicServiceView[] }> => ({
    services: serviceViews(hall.state, hall.now()).map((s) => ({
      id: s.id,
      code: s.code,
      names: s.names,
      prefix: s.prefix,
      categoryId: s.categoryId,
      waiting: s.waiting,
      availability: s.availability,
    })),
  }));

  app.post(`${API_PREFIX}/tickets`, async (req, reply) => {
    const device = deviceOf(req);
    if (!device) return sendError(reply, hallError('UNAUTHORIZED'));
    if (device.kind !== 'kiosk') return sendError(reply, hallError('FORBIDDEN'));
    if (!options.rateLimiter.take(device.id)) return sendError(reply, hallError('RATE_LIMITED'));
    const body = IssueTicketPayload.safeParse(req.body);
    if (!body.success) {
      return sendError(reply, hallError('VALIDATION_FAILED', `${hallError('VALIDATION_FAILED').message}: ${body.error.issues[0]?.message ?? ''}`));
    }
    const answer = issueTicket(hall, body.data, device);
    if (!answer.ok) return sendError(reply, answer.error);
    if (answer.replay) reply.header('idempotent-replay', 'true');
    return reply.code(201).send(answer.data);
  });

  // Electron shells report their health (a failed print, a lost printer); managers see the latest per device.
  app.post(`${API_PREFIX}/devices/health`, async (req, reply) => {
    const device = deviceOf(req);
    if (!device) return sendError(reply, hallError('UNAUTHORIZED'));
    if (!options.rateLimiter.take(device.id)) return sendError(reply, hallError('RATE_LIMITED'));
    const body = DeviceHealthReport.safeParse(req.body);
    if (!body.success) return sendError(reply, hallError('VALIDATION_FAILED'));
    if (!roleFitsDevice(body.data.role, device.kind)) return sendError(reply, hallError('FORBIDDEN', `${device.kind} 设备不能以 ${body.data.role} 身份报告`));
    hall.recordDeviceHealth(device, body.data);
    return reply.code(204).send();
  });

  // The manager dashboard's figures for the day: manager devices only (they count every ticket of the day)
  app.get(`${API_PREFIX}/figures/today`, async (req, reply) => {
    const device = deviceOf(req);
    if (!device) return sendError(reply, hallError('UNAUTHORIZED'));
    if (device.kind !== 'manager') return sendError(reply, hallError('FORBIDDEN'));
    if (!options.rateLimiter.take(device.id)) return sendError(reply, hallError('RATE_LIMITED'));
    reply.header('cache-control', 'no-store');
    return hall.todayFigures();
  });

  app.get(`${API_PREFIX}/track/:trackingToken`, async (req, reply) => {
    const params = TrackParams.safeParse(req.params);
    if (!params.success) return sendError(reply, hallError('TICKET_NOT_FOUND'));
    // one indexed look-up; the live object when the ticket is still in memory
    const stored = hall.store.ticketByTracking(params.data.trackingToken);
    const ticket = stored ? (hall.state.tickets.get(stored.id) ?? stored) : null;
    if (!ticket) return sendError(reply, hallError('TICKET_NOT_FOUND'));
    reply.header('cache-control', 'no-store');
    return trackView(hall.state, ticket);
  });

  if (options.staticRoot && existsSync(options.staticRoot)) {
    await app.register(fastifyStatic, { root: options.staticRoot, prefix: '/', index: ['index.html'], redirect: true });
  }
  return app;
}
