/**
 * Test topology: namespace `r` (the router running mwan-track) with two uplinks, wan1 and wan2,
 * both to namespace `far`, which holds the targets on its loopback. The main table of `r` has a
 * default route per WAN (netifd-style), the one via wan2 preferred, so wan1 is NOT the default.
 * `far` counts echo requests per incoming link.
 */
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { Lab, type Netns } from 'netns-kit';
import { connect, startBroker, type Broker, type UbusClient, type UbusData } from 'ubus-ts';

export const TARGET4 = '203.0.113.1';
export const TARGET6 = '2001:db8:ff::1';
export const TRACK_BIN = fileURLToPath(new URL('../../../bin/mwan-track.js', import.meta.url));
export const helper = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

export interface TwoWan {
  lab: Lab;
  r: Netns;
  far: Netns;
  /** echo requests `far` received on e1 (from wan1) and e2 (from wan2) */
  farCounts(): { e1: number; e2: number };
  /** TCP SYNs and UDP datagrams `far` received on e1 and e2 */
  farL4Counts(): { e1: number; e2: number };
  /** replaces the `far` fault table (nft rules inside `chain in`, hook input) */
  farFault(rules: string[]): void;
}

export function twoWan(t: TestContext): TwoWan {
  const lab = new Lab('mt');
  t.after(() => lab.destroy());
  const r = lab.netns('r');
  const far = lab.netns('far');
  lab.link(r, 'wan1', far, 'e1', { a: ['10.1.0.2/24', '2001:db8:1::2/64'], b: ['10.1.0.1/24', '2001:db8:1::1/64'] });
  lab.link(r, 'wan2', far, 'e2', { a: ['10.2.0.2/24', '2001:db8:2::2/64'], b: ['10.2.0.1/24', '2001:db8:2::1/64'] });
  far.ip('addr', 'add', `${TARGET4}/32`, 'dev', 'lo');
  far.ip('-6', 'addr', 'add', `${TARGET6}/128`, 'dev', 'lo');
  r.ip('route', 'add', 'default', 'via', '10.2.0.1', 'dev', 'wan2', 'metric', '10');
  r.ip('route', 'add', 'default', 'via', '10.1.0.1', 'dev', 'wan1', 'metric', '20');
  r.ip('-6', 'route', 'add', 'default', 'via', '2001:db8:2::1', 'dev', 'wan2', 'metric', '10');
  r.ip('-6', 'route', 'add', 'default', 'via', '2001:db8:1::1', 'dev', 'wan1', 'metric', '20');
  // no rate limit on the far side's ICMP, the tests send fast
  far.sysctl('net.ipv4.icmp_ratelimit', '0');
  far.sysctl('net.ipv6.icmp.ratelimit', '0');
  far.nft([
    'table inet count {',
    '  counter e1 {}',
    '  counter e2 {}',
    '  counter l4e1 {}',
    '  counter l4e2 {}',
    '  chain in { type filter hook prerouting priority -300;',
    '    iifname "e1" icmp type echo-request counter name e1',
    '    iifname "e1" icmpv6 type echo-request counter name e1',
    '    iifname "e2" icmp type echo-request counter name e2',
    '    iifname "e2" icmpv6 type echo-request counter name e2',
    // SYNs and datagrams only: the kernel of `r` answers a SYN/ACK nobody asked for with a RST,
    // routed as any local packet
    '    iifname "e1" tcp flags & (syn | ack) == syn counter name l4e1',
    '    iifname "e1" meta l4proto udp counter name l4e1',
    '    iifname "e2" tcp flags & (syn | ack) == syn counter name l4e2',
    '    iifname "e2" meta l4proto udp counter name l4e2',
    '  }',
    '}',
    'table inet fault {',
    '  chain in {',
    '    type filter hook input priority 0;',
    '  }',
    '}',
  ].join('\n'));
  const counters = (): Record<string, number> => {
    const out = JSON.parse(far.run(['nft', '-j', 'list', 'counters', 'table', 'inet', 'count']).stdout) as { nftables: { counter?: { name: string; packets: number } }[] };
    const c: Record<string, number> = {};
    for (const x of out.nftables) if (x.counter) c[x.counter.name] = x.counter.packets;
    return c;
  };
  return {
    lab, r, far,
    farCounts() {
      const c = counters();
      return { e1: c.e1 ?? 0, e2: c.e2 ?? 0 };
    },
    farL4Counts() {
      const c = counters();
      return { e1: c.l4e1 ?? 0, e2: c.l4e2 ?? 0 };
    },
    farFault(rules) {
      far.nft(['flush chain inet fault in', ...rules.map((l) => `add rule inet fault in ${l}`)].join('\n'));
    },
  };
}

export interface Bus {
  broker: Broker;
  socketPath: string;
  client: UbusClient;
  events: UbusData[];
  /** restarts the broker on the same path (the old one closes first) */
  restart(): Promise<void>;
}

export async function bus(t: TestContext): Promise<Bus> {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-track-'));
  const socketPath = join(dir, 'ubus.sock');
  const b: Bus = {
    broker: await startBroker({ socketPath, credentials: 'broker' }),
    socketPath,
    client: null as unknown as UbusClient,
    events: [],
    async restart() {
      await b.broker.close();
      b.broker = await startBroker({ socketPath, credentials: 'broker' });
    },
  };
  b.client = await connect({ socketPath, reconnect: true, reconnectDelayMs: { initial: 50, max: 200 } });
  await b.client.listen('mwan.track', (_type, data) => b.events.push(data));
  t.after(async () => {
    await b.client.close().catch(() => {});
    await b.broker.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  return b;
}

/** Starts mwan-track in `ns`; stderr kept for failure messages. */
export function spawnTracker(w: TwoWan, ns: Netns, socketPath: string, iface: string, settings: object): ChildProcess & { log: string[] } {
  const child = w.lab.spawn(ns, [process.execPath, TRACK_BIN, '-s', socketPath, '-i', iface, '--settings', JSON.stringify(settings)]) as ChildProcess & { log: string[] };
  child.log = [];
  child.stderr?.on('data', (d: Buffer) => child.log.push(d.toString()));
  child.stdout?.resume();
  return child;
}

/** Fast settings for tests (mwan3's semantics, sub-second timing). */
export function fast(extra: object = {}): Record<string, unknown> {
  return { trackIp: [TARGET4], interval: 0.1, timeout: 0.3, down: 3, up: 2, device: 'wan1', ...extra };
}

export function actions(events: UbusData[], iface: string): string[] {
  return events.filter((e) => e.interface === iface).map((e) => e.action as string);
}
