/**
 * Client library throughput: both ends are ubus-ts clients in this process (a caller and an
 * object), the broker is its own process (bin ubusd-ts; UBUS_BENCH_UBUSD=/path/to/ubusd measures
 * against another broker the same way). Figures: call round trips by id (sequential, with
 * latency percentiles, and 8 in flight), by path (lookup + invoke), event delivery, notify to
 * 10 subscribers.
 *
 *   node packages/ubus-ts/dist/test/client.bench.js
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../src/client/index.js';
import type { UbusClient } from '../src/client/types.js';
import { BlobmsgType } from '../src/wire/constants.js';

async function startBrokerProcess(bin: string[], sock: string): Promise<ChildProcess> {
  const child = spawn(bin[0]!, [...bin.slice(1), '-s', sock], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(sock)) throw new Error(`broker ${bin.join(' ')} did not create ${sock}`);
  return child;
}

function figure(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench: 'ubus-client', metric, value: Math.round(value), unit }));
}

async function callRate(c: UbusClient, id: number, n: number, inFlight: number): Promise<{ rate: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const s = performance.now();
      await c.invoke(id, 'echo', { n: next });
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { rate: n / secs, p50: lat[Math.floor(lat.length * 0.5)]! * 1000, p99: lat[Math.floor(lat.length * 0.99)]! * 1000 };
}

async function run(sock: string, suffix: string): Promise<void> {
  const srv = await connect({ socketPath: sock, reconnect: false });
  const cli = await connect({ socketPath: sock, reconnect: false });
  try {
    const obj = await srv.addObject('bench.echo', { echo: { policy: { n: BlobmsgType.INT32 }, handler: (req) => ({ n: req.args.n ?? 0 }) } });
    await callRate(cli, obj.id, 2000, 1); // warm-up
    const seq = await callRate(cli, obj.id, 20000, 1);
    figure(`call by id, sequential${suffix}`, seq.rate, 'calls/s');
    figure(`call by id, sequential, p50 latency${suffix}`, seq.p50, 'us');
    figure(`call by id, sequential, p99 latency${suffix}`, seq.p99, 'us');
    const par = await callRate(cli, obj.id, 40000, 8);
    figure(`call by id, 8 in flight${suffix}`, par.rate, 'calls/s');

    let t0 = performance.now();
    for (let i = 0; i < 10000; i++) await cli.call('bench.echo', 'echo', { n: i });
    figure(`call by path (lookup + invoke), sequential${suffix}`, 10000 / ((performance.now() - t0) / 1000), 'calls/s');

    let got = 0;
    let all!: () => void;
    const done = new Promise<void>((r) => (all = r));
    const N = 20000;
    await srv.listen('bench.*', () => {
      if (++got === N) all();
    });
    t0 = performance.now();
    for (let i = 0; i < N; i++) await cli.sendEvent('bench.ev', { i });
    await done;
    figure(`event send -> listener delivery${suffix}`, N / ((performance.now() - t0) / 1000), 'events/s');

    const subs = await Promise.all(Array.from({ length: 10 }, () => connect({ socketPath: sock, reconnect: false })));
    try {
      const pub = await srv.addObject('bench.pub', {});
      for (const s of subs) await s.subscribe('bench.pub', () => undefined);
      t0 = performance.now();
      for (let i = 0; i < 2000; i++) await pub.notify('tick', { i });
      figure(`notify to 10 subscribers, all answered${suffix}`, 2000 / ((performance.now() - t0) / 1000), 'notifies/s');
    } finally {
      for (const s of subs) await s.close();
    }
  } finally {
    await srv.close();
    await cli.close();
  }
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const brokers: [string, string[]][] = [['', [process.execPath, join(here, '..', 'src', 'ubusd-main.js'), '-A', '/nonexistent']]];
  if (process.env.UBUS_BENCH_UBUSD) brokers.push([' [ubusd (C)]', [process.env.UBUS_BENCH_UBUSD]]);
  for (const [suffix, bin] of brokers) {
    const dir = mkdtempSync(join(tmpdir(), 'ubus-client-bench-'));
    const sock = join(dir, 'ubus.sock');
    const child = await startBrokerProcess(bin, sock);
    try {
      await run(sock, suffix);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
