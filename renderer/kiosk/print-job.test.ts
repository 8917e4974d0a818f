import { describe, expect, it } from 'vitest';
import { TicketPrintJob } from '../../shared/electron-api.ts';
import { CATALOGUES } from '../shared/locales.ts';
import { buildPrintJob, trackingUrlFor, type PrintJobInput } from './print-job.ts';

const base: PrintJobInput = {
  ticket: { id: 't-20250304-0001', number: 'A001', peopleAhead: 3, issuedAt: 1_741_050_000_000, trackingToken: 'trk_Ab-9/+x', priority: null },
  hallName: '示范市政务服务中心',
  serviceName: '居民身份证办理',
  timeZone: 'Asia/Shanghai',
  origin: 'http://192.168.1.10:8080',
  notes: CATALOGUES['zh-CN'].kiosk.ticket.instructions,
};

describe('buildPrintJob', () => {
  it('builds a job the shell accepts, with the tracking address and the waiting notes including the no-show rule', () => {
    const job = buildPrintJob(base);
    const parsed = TicketPrintJob.safeParse(job);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(job).toEqual({
      ticketId: 't-20250304-0001',
      number: 'A001',
      hallName: '示范市政务服务中心',
      serviceName: '居民身份证办理',
      peopleAhead: 3,
      issuedAt: 1_741_050_000_000,
      timeZone: 'Asia/Shanghai',
      trackingUrl: 'http://192.168.1.10:8080/track/?t=trk_Ab-9%2F%2Bx',
      notes: [...CATALOGUES['zh-CN'].kiosk.ticket.instructions],
      priority: false,
    });
    expect(job.notes?.some((line) => line.includes('过号'))).toBe(true);
  });

  it('marks a priority ticket', () => {
    const job = buildPrintJob({ ...base, ticket: { ...base.ticket, priority: 'elderly' } });
    expect(job.priority).toBe(true);
    expect(TicketPrintJob.safeParse(job).success).toBe(true);
  });

  it('keeps long names and notes inside the schema limits, and drops blank lines', () => {
    const job = buildPrintJob({
      ...base,
      hallName: '大'.repeat(300),
      serviceName: `  ${'事'.repeat(150)}  `,
      notes: ['', '   ', ...Array.from({ length: 9 }, (_, i) => `${i}${'注'.repeat(200)}`)],
    });
    expect(TicketPrintJob.safeParse(job).success).toBe(true);
    expect(job.hallName).toHaveLength(100);
    expect(job.serviceName.endsWith('…')).toBe(true);
    expect(job.notes).toHaveLength(6);
    expect(job.notes?.[0]?.startsWith('0')).toBe(true);
    expect(job.notes?.every((line) => line.length <= 120)).toBe(true);
  });

  it('has no field an ID number could travel in: the shell refuses one', () => {
    const job = buildPrintJob(base);
    expect(Object.keys(job).sort()).toEqual(
      ['hallName', 'issuedAt', 'notes', 'number', 'peopleAhead', 'priority', 'serviceName', 'ticketId', 'timeZone', 'trackingUrl'].sort(),
    );
    expect(TicketPrintJob.safeParse({ ...job, idNumber: '110105200001010016' }).success).toBe(false);
  });

  it('builds the English job the same way', () => {
    const job = buildPrintJob({ ...base, hallName: 'Demo City Government Service Centre', serviceName: 'Resident ID card', notes: CATALOGUES.en.kiosk.ticket.instructions });
    expect(TicketPrintJob.safeParse(job).success).toBe(true);
  });
});

describe('trackingUrlFor', () => {
  it('points at the tracking page of the hall server', () => {
    expect(trackingUrlFor('https://hall.example.gov.cn', 'abc')).toBe('https://hall.example.gov.cn/track/?t=abc');
  });
});
