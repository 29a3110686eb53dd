/**
 * mwand figures: controller throughput on an event burst (real planner + applier on the
 * recording backend), `mwan status` round trips over the real broker, explain per second.
 * Prints JSON figure lines for `pnpm bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApplier, createRecordingBackend } from 'mwan-dataplane';
import { startBroker } from 'ubus-ts/broker/index';
import { connect } from 'ubus-ts/client/index';
import { Controller } from '../src/controller.js';
import { realClock } from '../src/core/clock.js';
import { explain } from '../src/core/explain.js';
import type { CoreConfig } from '../src/core/model.js';
import { createDataplanePort } from '../src/adapters/dataplane.js';
import { publishMwan } from '../src/ubus-api.js';
import { FakeNetifd, FakeRtmon, FakeTrackers, RecordingEvents, RecordingHooks } from './fakes.js';
import { iface, rule, up } from './fixtures.js';

const fig = (metric: string, value: number, unit: string): void => console.log(JSON.stringify({ bench: 'mwand', metric, value: Math.round(value * 100) / 100, unit }));

const N = 20;
function bigConfig(): CoreConfig {
  const names = Array.from({ length: N }, (_, k) => `wan${k}`);
  return {
    globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [], sourceRouting: false },
    interfaces: names.map((n, k) => iface(n, k + 1)),
    members: names.map((n, k) => ({ name: `${n}_m`, interface: n, metric: 1 + (k % 3), weight: 1 + (k % 4) })),
    policies: [{ name: 'all', members: names.map((n) => `${n}_m`), lastResort: 'unreachable' }, { name: 'first2', members: [`wan0_m`, `wan1_m`], lastResort: 'default' }],
    rules: [rule('https', 'all', { proto: 'tcp', destPort: ['443'], sticky: true }), rule('lan', 'first2', { srcIp: ['10.1.0.0/16'] }), rule('rest', 'all', { family: 'ipv4' })],
  };
}

const netifd = new FakeNetifd();
for (let k = 0; k < N; k++) netifd.views.set(`wan${k}`, { ...up(`eth${k}`), ipv4: [`198.51.${k}.2/24`], gateway: `198.51.${k}.1` });
const backend = createRecordingBackend();
const c = new Controller({
  clock: realClock, loadConfig: async () => bigConfig(), dataplane: createDataplanePort(createApplier({ backend })), netifd,
  trackers: new FakeTrackers(), rtmon: new FakeRtmon(), events: new RecordingEvents(), hooks: new RecordingHooks(), coalesceMs: 5,
});
await c.start();

// burst: every tracker flips 25 times
const events = 25 * N;
const applies0 = c.metrics().applies;
let t0 = performance.now();
for (let r = 0; r < 25; r++) for (let k = 0; k < N; k++) c.onTrackEvent({ interface: `wan${k}`, state: r % 2 ? 'online' : 'offline', score: r });
await new Promise((r) => setTimeout(r, 10));
await c.idle();
let ms = performance.now() - t0;
fig('burst of tracker events processed', events, 'events');
fig('burst total time', ms, 'ms');
fig('applies for the burst (coalesced)', c.metrics().applies - applies0, 'applies');

// one event at a time: latency from event to applied
const lat: number[] = [];
for (let r = 0; r < 50; r++) {
  t0 = performance.now();
  await c.admin('wan0', r % 2 ? 'ifup' : 'ifdown');
  lat.push(performance.now() - t0);
}
lat.sort((a, b) => a - b);
fig('ifdown/ifup to applied (20 WANs, incl. 5 ms coalescing window) p50', lat[25]!, 'ms');
fig('ifdown/ifup to applied p95', lat[47]!, 'ms');

// explain in-process
t0 = performance.now();
const st = c.state();
for (let k = 0; k < 20000; k++) explain(st, { src: '10.2.3.4', dst: '203.0.113.9', proto: 'tcp', port: 80 });
ms = performance.now() - t0;
fig('explain', 20000 / (ms / 1000), 'calls/s');

// mwan status over the real broker
const dir = mkdtempSync(join(tmpdir(), 'mwand-bench-'));
const sock = join(dir, 'ubus.sock');
const broker = await startBroker({ socketPath: sock, credentials: 'broker' });
const server = await connect({ socketPath: sock });
await publishMwan(server, c);
const cli = await connect({ socketPath: sock });
for (let k = 0; k < 50; k++) await cli.call('mwan', 'status');
t0 = performance.now();
const calls = 500;
for (let k = 0; k < calls; k++) await cli.call('mwan', 'status');
ms = performance.now() - t0;
fig('ubus call mwan status (20 WANs) round trip', ms / calls, 'ms');
c.stop();
await cli.close();
await server.close();
await broker.close();
rmSync(dir, { recursive: true, force: true });
