// `npm run bench:write`: server time to write one message to N WebSocket clients, two ways:
//   socket.io   one room emit per shard (socket.io encodes once, then packet + callback + drain per socket)
//   direct      server/fast-broadcast.ts: one prebuilt frame written into each idle connection
// A bare Socket.IO server on loopback, clients in a worker thread (test/helpers/light-display.ts: plain
// WebSockets speaking the wire protocol). Each round writes one hall:called-sized message to all
// clients; its time runs from the first write until the event loop is free again (setImmediate), so
// write callbacks and 'drain' handlers that socket.io runs after the writes count too. Rounds are
// 150 ms apart; every message must arrive (the worker counts them).
//   node bench/broadcast-write.ts [--clients 1600] [--rounds 40]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Server } from 'socket.io';
import { prepareMessage, stats, tryWrite } from '../server/fast-broadcast.ts';
import { connectLightDisplay, type LightDisplay } from '../test/helpers/light-display.ts';
import { percentile, sleep } from '../test/helpers/load-clients.ts';

const NSP = '/display';
const SHARDS = 32;

interface ClientsInput {
  role: 'broadcast-write-clients';
  port: number;
  clients: number;
}

async function clientsMain(input: ClientsInput): Promise<void> {
  const displays: LightDisplay[] = [];
  for (let i = 0; i < input.clients; i += 50) {
    const batch = Array.from({ length: Math.min(50, input.clients - i) }, () =>
      connectLightDisplay({ url: `http://127.0.0.1:${input.port}`, token: 'bench', namespace: NSP }),
    );
    displays.push(...(await Promise.all(batch)));
  }
  parentPort!.postMessage({ type: 'ready' });
  parentPort!.on('message', (m: string) => {
    if (m === 'count') parentPort!.postMessage({ type: 'count', received: displays.reduce((n, d) => n + d.calls, 0) });
    if (m === 'close') {
      for (const d of displays) d.close();
      parentPort!.close();
    }
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { clients: { type: 'string', default: '1600' }, rounds: { type: 'string', default: '40' } } });
  const clients = Number(values.clients);
  const rounds = Number(values.rounds);
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  const nsp = io.of(NSP);
  let next = 0;
  nsp.on('connection', (socket) => {
    void socket.join(`shard:${next++ % SHARDS}`);
    socket.emit('hall:snapshot', { seq: 0 }); // what the light display waits for before it counts as connected
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { role: 'broadcast-write-clients', port: (http.address() as AddressInfo).port, clients } satisfies ClientsInput,
  });
  const fromWorker = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string } & T) => {
        if (m.type !== type) return;
        worker.off('message', on);
        resolve(m);
      };
      worker.on('message', on);
    });
  await fromWorker<object>('ready');
  console.log(`broadcast write — node ${process.version}, ${clients} WebSocket clients on loopback (clients in a worker thread), ${rounds} rounds per way`);

  const call = { seq: 1, ticket: { id: 'tkt_0123456789abcdef', number: 'A001', serviceId: 'id-card' }, counter: { id: 'c1', number: 1, name: '综合窗口' }, recall: false, recallCount: 0, at: Date.now() };
  let expected = 0;
  for (const way of ['socket.io', 'direct'] as const) {
    const times: number[] = [];
    const before = { ...stats };
    for (let r = 0; r < rounds; r++) {
      const payload = { ...call, seq: r };
      const t0 = performance.now();
      if (way === 'socket.io') {
        for (let shard = 0; shard < SHARDS; shard++) nsp.to(`shard:${shard}`).emit('hall:called', payload);
      } else {
        const message = prepareMessage(NSP, 'hall:called', payload);
        const viaSocketIo: string[] = [];
        for (const socket of nsp.sockets.values()) if (!tryWrite(socket, message)) viaSocketIo.push(socket.id);
        if (viaSocketIo.length > 0) nsp.to(viaSocketIo).emit('hall:called', payload);
      }
      times.push(await new Promise<number>((resolve) => setImmediate(() => resolve(performance.now() - t0))));
      expected += clients;
      await sleep(150);
    }
    await sleep(500);
    worker.postMessage('count');
    const { received } = await fromWorker<{ received: number }>('count');
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const paths = way === 'direct' ? `; direct writes ${stats.fast - before.fast}, through socket.io ${stats.emitted - before.emitted}` : '';
    console.log(
      `${way.padEnd(9)}  per message p50 ${p50.toFixed(1)} ms  p90 ${percentile(times, 90).toFixed(1)} ms  = ${((p50 / clients) * 1000).toFixed(1)} µs per client (p50)` +
        `;  received ${received} of ${expected}${paths}`,
    );
  }
  worker.postMessage('close');
  await io.close();
}

if (!isMainThread && (workerData as Partial<ClientsInput>)?.role === 'broadcast-write-clients') await clientsMain(workerData as ClientsInput);
else if (isMainThread) await main();
