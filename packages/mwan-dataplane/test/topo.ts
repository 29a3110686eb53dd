/**
 * Test topology with real traffic: LAN host -> router (our table, rules, WAN tables) -> WAN
 * namespaces. Every WAN namespace owns the same "internet" address (203.0.113.1, 2001:db8:ff::1)
 * and runs a UDP sink, so which WAN a flow really left by is seen where it arrives.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lab, waitUntil, type Netns } from 'netns-kit';
import { createApplier, createKernelBackend, plan, type Applier, type PlanConfig, type PlanState, type KernelBackend } from '../src/index.js';

export const INET4 = '203.0.113.1';
export const INET6 = '2001:db8:ff::1';
const helper = (n: string) => fileURLToPath(new URL(`./helpers/${n}.js`, import.meta.url));

export interface Topo {
  lab: Lab;
  lan: Netns;
  router: Netns;
  wans: Netns[];
  backend: KernelBackend;
  applier: Applier;
  /** lines "addr port" each WAN sink received so far */
  received: string[][];
  apply(cfg: PlanConfig, st: PlanState): Promise<import('../src/index.js').ApplyReport>;
  /** sends `count` flows from ports first.. and waits until all arrived somewhere; returns per-WAN port lists */
  flows(dst: string, first: number, count: number): Promise<number[][]>;
  state(over?: Partial<Record<string, Partial<PlanState['wans'][string]>>>): PlanState;
}

export async function buildTopo(nWans: number): Promise<Topo> {
  const lab = new Lab('dp');
  const lan = lab.netns('lan');
  const router = lab.netns('rt');
  const wans: Netns[] = [];
  lab.link(lan, 'eth0', router, 'lan0', { a: ['192.168.1.2/24', '2001:db8:1::2/64'], b: ['192.168.1.1/24', '2001:db8:1::1/64'] });
  lan.ip('route', 'add', 'default', 'via', '192.168.1.1');
  lan.ip('-6', 'route', 'add', 'default', 'via', '2001:db8:1::1');
  for (const k of ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding']) router.sysctl(k, '1');
  for (const k of ['net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter']) router.sysctl(k, '0');
  for (let i = 1; i <= nWans; i++) {
    const w = lab.netns(`w${i}`);
    lab.link(router, `wan${i}`, w, 'up0', { a: [`10.0.${i}.1/24`, `2001:db8:a${i}::1/64`], b: [`10.0.${i}.2/24`, `2001:db8:a${i}::2/64`] });
    w.ip('addr', 'add', `${INET4}/32`, 'dev', 'lo');
    w.ip('addr', 'add', `${INET6}/128`, 'dev', 'lo');
    w.ip('route', 'add', '192.168.1.0/24', 'via', `10.0.${i}.1`);
    w.ip('-6', 'route', 'add', '2001:db8:1::/64', 'via', `2001:db8:a${i}::1`);
    wans.push(w);
  }
  const received: string[][] = wans.map(() => []);
  const sinks: ChildProcess[] = wans.map((w, i) => {
    const child = lab.spawn(w, [process.execPath, helper('udp-sink')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      received[i]!.push(...lines);
    });
    return child;
  });
  await waitUntil(() => received.every((r) => r.includes('ready')), 5000);
  for (const r of received) r.length = 0;
  void sinks;
  const backend = createKernelBackend({ netns: router.name });
  const applier = createApplier({ backend });
  const topo: Topo = {
    lab, lan, router, wans, backend, applier, received,
    apply: (cfg, st) => applier.apply(plan(cfg, st)),
    async flows(dst, first, count) {
      const before = received.map((r) => r.length);
      lan.run([process.execPath, helper('udp-send'), dst, String(first), String(count)]);
      const ports = new Set(Array.from({ length: count }, (_, i) => String(first + i)));
      const seen = () => received.flatMap((r, i) => r.slice(before[i]).map((l) => l.split(' ')[1]!)).filter((p) => ports.has(p));
      await waitUntil(() => seen().length >= count, 5000).catch(() => undefined);
      return received.map((r, i) => r.slice(before[i]).map((l) => Number(l.split(' ')[1])).filter((p) => ports.has(String(p))));
    },
    state(over = {}) {
      const wansSt: PlanState['wans'] = {};
      for (let i = 1; i <= nWans; i++) {
        wansSt[`wan${i}`] = { up: true, status: 'online', device: `wan${i}`, gateway: `10.0.${i}.2`, ...over[`wan${i}`] };
        wansSt[`wan${i}_6`] = { up: true, status: 'online', device: `wan${i}`, gateway: `2001:db8:a${i}::2`, ...over[`wan${i}_6`] };
      }
      return { wans: wansSt };
    },
  };
  return topo;
}

/** What rtmon would put into the connected sets: the router's own networks. */
export function fillConnected(router: Netns, nWans: number): void {
  const v4 = ['192.168.1.0/24', ...Array.from({ length: nWans }, (_, i) => `10.0.${i + 1}.0/24`)];
  const v6 = ['2001:db8:1::/64', ...Array.from({ length: nWans }, (_, i) => `2001:db8:a${i + 1}::/64`)];
  router.run(['nft', 'add', 'element', 'inet', 'mwan', 'connected_v4', `{ ${v4.join(', ')} }`]);
  router.run(['nft', 'add', 'element', 'inet', 'mwan', 'connected_v6', `{ ${v6.join(', ')} }`]);
}

/** Interfaces wanN (ipv4) and wanN_6 (ipv6) on device wanN. */
export function labConfig(nWans: number, over: Partial<PlanConfig> = {}): PlanConfig {
  const interfaces = Array.from({ length: nWans }, (_, i) => [
    { name: `wan${i + 1}`, enabled: true, family: 'ipv4' as const },
    { name: `wan${i + 1}_6`, enabled: true, family: 'ipv6' as const },
  ]).flat();
  return {
    globals: { mmxMask: 0x3f00, logging: false, loglevel: 'notice', rtTableLookup: [] },
    interfaces,
    members: interfaces.map((i) => ({ name: `m_${i.name}`, interface: i.name, metric: 1, weight: 1 })),
    policies: [],
    rules: [],
    ...over,
  };
}
