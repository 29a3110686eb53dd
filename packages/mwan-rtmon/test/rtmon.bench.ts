/**
 * rtmon benchmark: latency from a main-table route change to its copies in every WAN table.
 * `node packages/mwan-rtmon/dist/test/rtmon.bench.js [--routes N]` (root). Creates its own
 * namespace (two WAN links, a LAN link, table inet mwan with the sets), re-runs itself inside
 * it, and there runs the Rtmon core in-process against the real kernel and real nft, while an
 * observer socket timestamps the kernel's notifications for the copies.
 * Prints JSON figure lines {"bench":"rtmon","metric","value","unit"} and a human table.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { canUseNetns, Lab } from 'netns-kit';
import { openRtnl } from '../src/netlink/socket.js';
import { RTN, RT_SCOPE, type RouteEntry } from '../src/netlink/types.js';
import { Rtmon } from '../src/rtmon.js';
import { nftSetBackend } from '../src/apply/nft-sets.js';
import { watchNft } from '../src/apply/nft-watch.js';
import { createSets } from './helpers.js';

const INSIDE = 'MWAN_RTMON_BENCH_INSIDE';
const argRoutes = process.argv.indexOf('--routes');
const N = argRoutes > 0 ? Number(process.argv[argRoutes + 1]) : 200;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

async function outside(): Promise<void> {
  if (!canUseNetns()) {
    console.error('rtmon bench needs root (network namespaces)');
    process.exit(1);
  }
  const lab = new Lab('rtb');
  try {
    const ns = lab.netns('r');
    const peer = lab.netns('p');
    lab.link(ns, 'wan0', peer, 'isp0', { a: ['10.1.0.2/24'], b: ['10.1.0.1/24'] });
    lab.link(ns, 'wan1', peer, 'isp1', { a: ['10.2.0.2/24'], b: ['10.2.0.1/24'] });
    lab.link(ns, 'lan0', peer, 'host0', { a: ['192.168.50.1/24'], b: ['192.168.50.2/24'] });
    createSets(ns);
    const child = lab.spawn(ns, [process.execPath, fileURLToPath(import.meta.url), '--routes', String(N)], { env: { ...process.env, [INSIDE]: '1' }, stdio: ['ignore', 'inherit', 'inherit'] });
    const code = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? 1)));
    if (code !== 0) process.exitCode = code;
  } finally {
    await lab.destroy();
  }
}

async function inside(): Promise<void> {
  const groups = ['IPV4_ROUTE', 'IPV6_ROUTE', 'IPV4_IFADDR', 'IPV6_IFADDR', 'LINK'] as const;
  const rtnl = openRtnl({ groups: [...groups] });
  const observer = openRtnl({ groups: ['IPV4_ROUTE'] });
  const links = await observer.dumpLinks();
  const lan = links.find((l) => l.name === 'lan0')!.index;
  const rtmon = new Rtmon({ rtnl, sets: nftSetBackend(), watchSets: (cb) => watchNft('mwan', cb) });
  await rtmon.start([
    { name: 'wan', table: 1, family: 4, enabled: true, device: 'wan0' },
    { name: 'wanb', table: 2, family: 4, enabled: true, device: 'wan1' },
  ], []);

  // per route: resolve when both WAN tables reported the add (or the delete)
  const waiting = new Map<string, { tables: Set<number>; done: () => void }>();
  observer.onEvent((e) => {
    if (e.kind !== 'route' || (e.route.table !== 1 && e.route.table !== 2)) return;
    const w = waiting.get(`${e.action}|${e.route.dst}`);
    if (!w) return;
    w.tables.delete(e.route.table);
    if (w.tables.size === 0) { waiting.delete(`${e.action}|${e.route.dst}`); w.done(); }
  });
  const expect = (action: 'new' | 'del', dst: string): Promise<void> => new Promise((done) => waiting.set(`${action}|${dst}`, { tables: new Set([1, 2]), done }));
  const route = (i: number): RouteEntry => ({
    family: 4, table: 254, dst: `10.${100 + Math.floor(i / 250)}.${i % 250}.0`, dstLen: 24, srcLen: 0, tos: 0, priority: 0,
    type: RTN.UNICAST, protocol: 4, scope: RT_SCOPE.UNIVERSE, gateway: '192.168.50.2', oif: lan, devices: [lan], cloned: false,
  });

  const addMs: number[] = [];
  const delMs: number[] = [];
  for (let i = 0; i < N; i++) {
    const r = route(i);
    const seen = expect('new', r.dst);
    const t0 = performance.now();
    await observer.replaceRoute(r, 254);
    await seen;
    addMs.push(performance.now() - t0);
  }
  for (let i = 0; i < N; i++) {
    const r = route(i);
    const seen = expect('del', r.dst);
    const t0 = performance.now();
    await observer.deleteRoute(r, 254);
    await seen;
    delMs.push(performance.now() - t0);
  }
  // burst: N routes added back to back, time until every copy is in both tables
  const burst: Promise<void>[] = [];
  const tb = performance.now();
  for (let i = 0; i < N; i++) {
    const r = route(i);
    burst.push(expect('new', r.dst));
    await observer.replaceRoute(r, 254);
  }
  await Promise.all(burst);
  const burstMs = performance.now() - tb;
  await rtmon.idle();
  const st = rtmon.status();

  const figures = [
    { metric: `main→WAN tables (2) add latency p50, ${N} sequential routes`, value: pct(addMs, 50), unit: 'ms' },
    { metric: `main→WAN tables (2) add latency p99, ${N} sequential routes`, value: pct(addMs, 99), unit: 'ms' },
    { metric: `main→WAN tables (2) delete latency p50, ${N} sequential routes`, value: pct(delMs, 50), unit: 'ms' },
    { metric: `main→WAN tables (2) delete latency p99, ${N} sequential routes`, value: pct(delMs, 99), unit: 'ms' },
    { metric: `burst of ${N} routes fully mirrored into 2 tables`, value: burstMs, unit: 'ms' },
    { metric: 'errors during the run', value: st.errors, unit: 'count' },
  ];
  for (const f of figures) console.log(JSON.stringify({ bench: 'rtmon', metric: f.metric, value: Number(f.value.toFixed(3)), unit: f.unit }));
  console.log('\nrtmon: main-table change → WAN-table copies (real kernel, real nft, rtmon core in-process)');
  for (const f of figures) console.log(`  ${f.metric.padEnd(62)} ${f.value.toFixed(2).padStart(10)} ${f.unit}`);
  rtmon.stop();
  rtnl.close();
  observer.close();
}

if (process.env[INSIDE]) await inside();
else await outside();
