/** Shared scaffolding for rtmon's namespace tests: a private broker, a fake netifd, rtmon processes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { connect, startBroker, type Broker, type UbusClient, type UbusData } from 'ubus-ts';
import { Lab, waitUntil, type Netns } from 'netns-kit';

export const RTMON_BIN = fileURLToPath(new URL('../../bin/mwan-rtmon.js', import.meta.url));

export interface Bed {
  lab: Lab;
  ns: Netns;
  dir: string;
  socket: string;
  broker: Broker;
  client: UbusClient;
  events: UbusData[];
  stderr: () => string;
  startRtmon(): ChildProcess;
  stopRtmon(): Promise<void>;
}

/**
 * One namespace "r" with WAN links wan0 (10.1.0.2/24), wan1 (10.2.0.2/24) to a peer, a LAN
 * link lan0 (192.168.50.1/24), table inet mwan with the sets, a config with interfaces wan
 * (table 1), wanb (table 2), wan6 (table 3, disabled), and a fake netifd answering status.
 */
export async function makeBed(t: { after(fn: () => unknown): void }, opts: { createSets?: boolean; config?: string; netifd?: [string, string][] } = {}): Promise<Bed> {
  const lab = new Lab('rtm');
  t.after(() => lab.destroy());
  const ns = lab.netns('r');
  const peer = lab.netns('p');
  lab.link(ns, 'wan0', peer, 'isp0', { a: ['10.1.0.2/24'], b: ['10.1.0.1/24'] });
  lab.link(ns, 'wan1', peer, 'isp1', { a: ['10.2.0.2/24'], b: ['10.2.0.1/24'] });
  lab.link(ns, 'lan0', peer, 'host0', { a: ['192.168.50.1/24'], b: ['192.168.50.2/24'] });
  if (opts.createSets !== false) createSets(ns);
  const dir = mkdtempSync(join(tmpdir(), 'rtmon-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mwan'), opts.config ?? [
    "config globals 'globals'",
    "\toption mmx_mask '0x3F00'",
    '',
    "config interface 'wan'",
    "\toption enabled '1'",
    '',
    "config interface 'wanb'",
    "\toption enabled '1'",
    '',
    "config interface 'wan6'",
    "\toption enabled '0'",
    "\toption family 'ipv6'",
    '',
  ].join('\n'));
  const socket = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath: socket, credentials: 'broker' });
  t.after(() => broker.close());
  const client = await connect({ socketPath: socket, reconnect: false });
  t.after(() => client.close());
  for (const [name, dev] of opts.netifd ?? [['wan', 'wan0'], ['wanb', 'wan1']]) {
    await client.addObject(`network.interface.${name}`, { status: { handler: () => ({ up: true, l3_device: dev, device: dev }) } });
  }
  const events: UbusData[] = [];
  await client.listen('mwan.rtmon', (_t, d) => { events.push(d); });
  let child: ChildProcess | undefined;
  let err = '';
  const bed: Bed = {
    lab, ns, dir, socket, broker, client, events,
    stderr: () => err,
    startRtmon() {
      child = lab.spawn(ns, [process.execPath, RTMON_BIN, '-s', socket, '-c', dir, '-v']);
      child.stderr?.on('data', (d: Buffer) => { err += d; });
      return child;
    },
    async stopRtmon() {
      if (!child || child.exitCode !== null) return;
      const c = child;
      await new Promise<void>((r) => { c.once('exit', () => r()); c.kill('SIGTERM'); });
    },
  };
  return bed;
}

export function createSets(ns: Netns): void {
  ns.nft([
    'table inet mwan {',
    '  set connected_v4 { type ipv4_addr; flags interval; }',
    '  set connected_v6 { type ipv6_addr; flags interval; }',
    '  set custom_v4 { type ipv4_addr; flags interval; }',
    '  set custom_v6 { type ipv6_addr; flags interval; }',
    '}',
  ].join('\n'));
}

/** `ip -j route show table N` destinations (dst field as ip prints it). */
export function tableDsts(ns: Netns, table: number | string, family: 4 | 6 = 4): string[] {
  // a table with no routes does not exist for the kernel: same as empty
  const r = ns.run(['ip', `-${family}`, '-j', 'route', 'show', 'table', String(table)], { allowFail: true });
  if (r.code !== 0 && /does not exist/.test(r.stderr)) return [];
  return (JSON.parse(r.stdout) as { dst: string }[]).map((r) => r.dst).sort();
}

export function setElements(ns: Netns, set: string): string[] {
  const r = ns.run(['nft', '-j', 'list', 'set', 'inet', 'mwan', set]);
  const doc = JSON.parse(r.stdout) as { nftables: { set?: { elem?: unknown[] } }[] };
  const elems = doc.nftables.find((x) => x.set)?.set?.elem ?? [];
  return elems.map((e) => (typeof e === 'string' ? e : `${(e as { prefix: { addr: string; len: number } }).prefix.addr}/${(e as { prefix: { len: number } }).prefix.len}`)).sort();
}

export async function waitRtmonReady(bed: Bed): Promise<void> {
  await waitUntil(() => objectExists(bed, 'mwan.rtmon'), 10_000, 50)
    .catch((e: Error) => { throw new Error(`${e.message}; rtmon stderr: ${bed.stderr()}`); });
}

/** lookup of a missing path fails with NOT_FOUND; this answers yes/no */
export async function objectExists(bed: Bed, path: string): Promise<boolean> {
  try { return (await bed.client.lookup(path)).length > 0; } catch { return false; }
}
