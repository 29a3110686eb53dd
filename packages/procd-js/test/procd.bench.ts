/**
 * procd-ts figures (`pnpm bench procd`): call latencies on a private bus with real processes, the
 * restart overhead after a crash, and the pure machine's speed. Prints {"bench","metric","value","unit"} lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, startBroker } from 'ubus-ts';
import { createProcdClient } from '../src/client/procd-client.js';
import { startProcd } from '../src/supervisor/daemon.js';
import { handle, initialState, type MachinePolicy } from '../src/supervisor/instance-machine.js';

const fig = (metric: string, value: number, unit: string): void => {
  process.stdout.write(`${JSON.stringify({ bench: 'procd', metric, value: Math.round(value * 100) / 100, unit })}\n`);
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const wait = async (check: () => Promise<boolean>): Promise<void> => {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 2));
  }
};

async function main(): Promise<void> {
  // the pure machine: one full start/spawned/exit/respawn cycle per iteration
  const policy: MachinePolicy = { respawn: { threshold: 1, timeout: 0, retry: 0 }, termTimeout: 5, reloadSignal: 0 };
  let s = initialState;
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    s = handle(s, { type: 'start' }, policy).state;
    s = handle(s, { type: 'spawned', pid: i, at: i * 2000 }, policy).state;
    s = handle(s, { type: 'exit', code: 1, at: i * 2000 + 1500 }, policy).state;
    s = handle(s, { type: 'timer' }, policy).state;
  }
  fig('machine cycles (start, spawned, exit, timer)', n / ((performance.now() - t0) / 1000), 'cycles/s');

  const dir = mkdtempSync(join(tmpdir(), 'procd-bench-'));
  const socketPath = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath, credentials: 'broker' });
  const procd = await startProcd({ socketPath, echoOutput: false, log: () => undefined });
  const ubus = await connect({ socketPath, reconnect: false });
  const c = createProcdClient(ubus);
  try {
    const setTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await c.set('one', { a: { command: ['/bin/sleep', String(100 + i)] } });
      setTimes.push(performance.now() - t);
    }
    fig('service set reply, changed instance (restart begins), median of 20', median(setTimes), 'ms');

    const instances = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`i${i}`, { command: ['/bin/sleep', '1000'], respawn: { threshold: 3600, timeout: 0, retry: 0 } }]));
    let t = performance.now();
    await c.set('many', instances);
    fig('service set with 50 new instances', performance.now() - t, 'ms');
    const listTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      t = performance.now();
      await c.list();
      listTimes.push(performance.now() - t);
    }
    fig('service list (51 instances), median of 20', median(listTimes), 'ms');

    const restarts: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = (await c.instance('many', 'i0'))!.pid!;
      t = performance.now();
      process.kill(before, 'SIGKILL');
      await wait(async () => {
        const now = await c.instance('many', 'i0');
        return !!now?.running && now.pid !== before;
      });
      restarts.push(performance.now() - t);
    }
    fig('kill to respawned (respawn timeout 0), median of 10', median(restarts), 'ms');

    t = performance.now();
    await c.delete('many');
    await wait(async () => !(await c.list()).many);
    fig('service delete of 50 instances until gone', performance.now() - t, 'ms');
  } finally {
    await ubus.close();
    await procd.stop();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
