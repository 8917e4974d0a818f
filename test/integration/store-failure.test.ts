// A full disk or a locked database: commands are refused with a clear error, reads keep working,
// and nothing is half-written.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssueTicketResult, PublicServiceView } from '../../shared/protocol.ts';
import { idempotencyKey, okData, startTestHall, type TestClient, type TestHall } from '../helpers/hall.ts';

let hall: TestHall;
let kiosk: TestClient;

beforeAll(async () => {
  hall = await startTestHall();
  kiosk = await hall.connect('/kiosk', 'demo-kiosk-1');
});
afterAll(async () => {
  await hall.stop();
});

const issue = (key = idempotencyKey()) => kiosk.command<IssueTicketResult>('ticket:issue', { serviceId: 'consult', idempotencyKey: key });

describe('when the store cannot write', () => {
  it('a full disk: STORE_UNAVAILABLE over both transports, reads still served, then recovery with no gap', async () => {
    expect(okData(await issue()).ticket.number).toBe('L001');
    const db = hall.store.db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`); // SQLite now answers SQLITE_FULL, as on a full disk
    const seq = hall.hall.state.seq;

    // fill the remaining free pages so the next ticket cannot fit
    let refusal = await issue();
    for (let i = 0; i < 200 && refusal.ok; i++) refusal = await issue();
    expect(refusal).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    const http = await fetch(`${hall.url}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-kiosk-1' },
      body: JSON.stringify({ serviceId: 'consult', idempotencyKey: idempotencyKey() }),
    });
    expect(http.status).toBe(503);
    const issuedWhileFilling = hall.hall.state.seq - seq;

    // reads keep working
    expect((await fetch(`${hall.url}/api/v1/health`)).status).toBe(200);
    const services = (await (await fetch(`${hall.url}/api/v1/services`)).json()) as { services: PublicServiceView[] };
    expect(services.services.find((s) => s.id === 'consult')?.waiting).toBe(1 + issuedWhileFilling);
    expect(okData(await kiosk.command<{ seq: number }>('hall:sync')).seq).toBe(hall.hall.state.seq);

    // memory and disk agree: no partial write
    const onDisk = new BetterSqlite3(join(hall.dataDir, 'hall.db'), { readonly: true });
    expect(onDisk.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(hall.hall.state.tickets.size);
    expect(onDisk.prepare('SELECT max(seq) FROM events').pluck().get()).toBe(hall.hall.state.seq);
    onDisk.close();

    db.pragma('max_page_count = 1073741823');
    const next = okData(await issue());
    expect(next.ticket.number).toBe(`L${String(2 + issuedWhileFilling).padStart(3, '0')}`);
  });

  it('a locked database: refused after the busy timeout, then recovered', async () => {
    const other = new BetterSqlite3(join(hall.dataDir, 'hall.db'));
    other.exec('BEGIN EXCLUSIVE');
    const seq = hall.hall.state.seq;
    const refused = await issue();
    expect(refused).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    expect(hall.hall.state.seq).toBe(seq);
    other.exec('ROLLBACK');
    other.close();
    expect((await issue()).ok).toBe(true);
  });
});
