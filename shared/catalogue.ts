// The hall's configuration: categories, services, counters and settings. Used by the import file,
// the demo hall and the engine; validated with zod wherever it enters the system.
import { z } from 'zod';
import { CounterKind, LocalisedName, ServiceLevel } from './protocol.ts';
import { isValidTimeZone, parseClockTime } from './hall-time.ts';

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

export const IssuingPeriod = z
  .strictObject({ start: ClockTime, end: ClockTime })
  .refine((p) => parseClockTime(p.start) < parseClockTime(p.end), 'period must end after it starts');
export type IssuingPeriod = z.infer<typeof IssuingPeriod>;

const Slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'lower-case letters, digits, - and _');

export const CategoryConfig = z.strictObject({
  id: Slug,
  names: LocalisedName,
});
export type CategoryConfig = z.infer<typeof CategoryConfig>;

export const ServiceConfig = z.strictObject({
  id: Slug,
  code: z.string().min(1).max(32),
  names: LocalisedName,
  categoryId: Slug,
  /** 1–2 upper-case letters printed before the daily number */
  prefix: z.string().regex(/^[A-Z]{1,2}$/),
  /** tickets per business day; null = unlimited */
  dailyQuota: z.number().int().positive().nullable().default(null),
  /** local HH:MM ranges in which the kiosk issues; empty = any time */
  issuingPeriods: z.array(IssuingPeriod).max(8).default([]),
  /** anti-scalping: tickets per ID number per business day; null = unlimited */
  perIdDailyLimit: z.number().int().positive().nullable().default(null),
  idRequired: z.boolean().default(false),
  /** a waiting ticket older than this jumps ahead of non-overdue tickets */
  maxWaitMinutes: z.number().int().positive().max(24 * 60).default(30),
  /** typical handling time, used for wait estimates before the hall has its own history */
  handlingMinutesSeed: z.number().positive().max(480).default(10),
  guide: LocalisedName.nullable().default(null),
  active: z.boolean().default(true),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

export const CounterServiceConfig = z.strictObject({ serviceId: Slug, level: ServiceLevel });
export type CounterServiceConfig = z.infer<typeof CounterServiceConfig>;

/** The same services at the same levels, in any order. */
export function sameServices(a: readonly CounterServiceConfig[], b: readonly CounterServiceConfig[]): boolean {
  if (a.length !== b.length) return false;
  const levels = new Map(a.map((s) => [s.serviceId, s.level]));
  return b.every((s) => levels.get(s.serviceId) === s.level);
}

/** A counter's services as plain `{ serviceId, level }` pairs: what an event or an answer carries. */
export function serviceLevels(services: readonly CounterServiceConfig[]): CounterServiceConfig[] {
  return services.map((s) => ({ serviceId: s.serviceId, level: s.level }));
}

export const CounterConfig = z.strictObject({
  id: Slug,
  number: z.number().int().positive().max(9999),
  name: z.string().min(1).max(60),
  kind: CounterKind,
  area: z.string().min(1).max(40).default('main'),
  services: z.array(CounterServiceConfig).max(200),
});
export type CounterConfig = z.infer<typeof CounterConfig>;

export const HallSettings = z.strictObject({
  name: LocalisedName,
  timeZone: z.string().refine(isValidTimeZone, 'unknown time zone').default('Asia/Shanghai'),
  /** recalls allowed before the next recall marks the ticket a no-show */
  recallLimit: z.number().int().min(0).max(20).default(3),
  /** how long after a no-show the ticket may still be reactivated */
  noShowGraceMinutes: z.number().int().min(0).max(24 * 60).default(30),
  /** age from which an ID number earns priority (60 in law; some halls use 70) */
  priorityAge: z.number().int().min(50).max(100).default(60),
  /** anti-starvation: after this many priority calls in a row, a counter takes a non-priority ticket if one waits */
  priorityBurst: z.number().int().min(1).max(50).default(2),
  notice: z.string().max(500).nullable().default(null),
  /** PIPL: ID hashes and masked IDs are purged from tickets older than this many days */
  personalDataRetentionDays: z.number().int().min(1).max(3650).default(30),
  /** a clerk signs in again after this many hours at one terminal */
  staffSessionHours: z.number().int().min(1).max(24).default(12),
});
export type HallSettings = z.infer<typeof HallSettings>;

export const CatalogueFile = z
  .strictObject({
    settings: HallSettings.optional(),
    categories: z.array(CategoryConfig).max(100),
    services: z.array(ServiceConfig).max(500),
    counters: z.array(CounterConfig).max(500).default([]),
  })
  .superRefine((c, ctx) => {
    const categoryIds = new Set(c.categories.map((x) => x.id));
    const serviceIds = new Set<string>();
    const prefixes = new Set<string>();
    for (const s of c.services) {
      if (serviceIds.has(s.id)) ctx.addIssue({ code: 'custom', message: `duplicate service id ${s.id}` });
      if (prefixes.has(s.prefix)) ctx.addIssue({ code: 'custom', message: `duplicate ticket prefix ${s.prefix}` });
      if (!categoryIds.has(s.categoryId)) ctx.addIssue({ code: 'custom', message: `service ${s.id}: unknown category ${s.categoryId}` });
      serviceIds.add(s.id);
      prefixes.add(s.prefix);
    }
    const numbers = new Set<number>();
    for (const k of c.counters) {
      if (numbers.has(k.number)) ctx.addIssue({ code: 'custom', message: `duplicate counter number ${k.number}` });
      numbers.add(k.number);
      for (const s of k.services) {
        if (!serviceIds.has(s.serviceId)) ctx.addIssue({ code: 'custom', message: `counter ${k.id}: unknown service ${s.serviceId}` });
      }
    }
  });
export type CatalogueFile = z.infer<typeof CatalogueFile>;

/** Ticket number: prefix + 3-digit daily sequence; grows to 4 digits past 999. @example formatTicketNumber('A', 7) === 'A007' */
export function formatTicketNumber(prefix: string, sequence: number): string {
  return `${prefix}${String(sequence).padStart(3, '0')}`;
}
