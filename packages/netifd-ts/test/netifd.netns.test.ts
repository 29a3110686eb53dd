import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, startBroker, type UbusData } from 'ubus-ts';
import { canUseNetns, Lab, waitUntil } from 'netns-kit';

const BIN = fileURLToPath(new URL('../../bin/netifd-ts.js', import.meta.url));
const skip = !canUseNetns() && 'needs root';

interface IpAddr { ifname: string; addr_info: { family: string; local: string; prefixlen: number; scope: string }[] }

test('netifd-ts: ifup/ifdown events follow the veth, status matches ip addr, up/down methods', { skip }, async (t) => {
  const lab = new Lab('nfd');
  t.after(() => lab.destroy());
  const ns = lab.netns('r');
  const peer = lab.netns('p');
  lab.link(ns, 'wan0', peer, 'isp0', { a: ['10.1.0.2/24', '2001:db8:1::2/64'], b: ['10.1.0.1/24'] });
  lab.link(ns, 'wan1', peer, 'isp1', {});
  ns.ip('route', 'add', 'default', 'via', '10.1.0.1', 'dev', 'wan0', 'metric', '10');

  const dir = mkdtempSync(join(tmpdir(), 'netifd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socket = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath: socket, credentials: 'broker' });
  t.after(() => broker.close());
  const client = await connect({ socketPath: socket, reconnect: false });
  t.after(() => client.close());
  const events: UbusData[] = [];
  await client.listen('network.interface', (_t, d) => { events.push(d); });

  let stderr = '';
  const child = lab.spawn(ns, [process.execPath, BIN, '-s', socket, '--interface', 'wan=wan0,dns=192.0.2.53', '--interface', 'wanb=wan1', '-v']);
  child.stderr?.on('data', (d: Buffer) => { stderr += d; });
  const has = (action: string, iface: string): boolean => events.some((e) => e.action === action && e.interface === iface);
  await waitUntil(() => has('ifup', 'wan'), 10_000).catch((e: Error) => { throw new Error(`${e.message}: ${stderr}`); });
  assert.ok(!has('ifup', 'wanb'), 'wan1 has no address: not up');

  // status against the kernel's own view
  const st = await client.call('network.interface.wan', 'status');
  const kernel = (JSON.parse(ns.run(['ip', '-j', 'addr', 'show', 'dev', 'wan0']).stdout) as IpAddr[])[0]!;
  const want4 = kernel.addr_info.filter((a) => a.family === 'inet').map((a) => ({ address: a.local, mask: a.prefixlen }));
  const want6 = kernel.addr_info.filter((a) => a.family === 'inet6' && a.scope === 'global').map((a) => ({ address: a.local, mask: a.prefixlen }));
  assert.deepEqual(st?.['ipv4-address'], want4);
  assert.deepEqual(st?.['ipv6-address'], want6);
  assert.equal(st?.up, true);
  assert.equal(st?.l3_device, 'wan0');
  assert.equal(st?.device, 'wan0');
  assert.deepEqual(st?.route, [{ target: '0.0.0.0', mask: 0, nexthop: '10.1.0.1', metric: 10, source: '0.0.0.0/0' }]);
  assert.deepEqual(st?.['dns-server'], ['192.0.2.53']);
  const dump = await client.call('network.interface', 'dump');
  assert.deepEqual((dump?.interface as { interface: string; up: boolean }[]).map((i) => [i.interface, i.up]), [['wan', true], ['wanb', false]]);

  // the veth goes down and up (from outside, as a cable would)
  events.length = 0;
  ns.ip('link', 'set', 'wan0', 'down');
  await waitUntil(() => has('ifdown', 'wan'), 3000, 10);
  assert.equal((await client.call('network.interface.wan', 'status'))?.up, false);
  ns.ip('link', 'set', 'wan0', 'up');
  await waitUntil(() => has('ifup', 'wan'), 5000, 10);

  // an address appearing brings wanb up; its removal takes it down
  ns.ip('addr', 'add', '10.2.0.2/24', 'dev', 'wan1');
  await waitUntil(() => has('ifup', 'wanb'), 3000, 10);
  ns.ip('addr', 'del', '10.2.0.2/24', 'dev', 'wan1');
  await waitUntil(() => has('ifdown', 'wanb'), 3000, 10);

  // ubus down/up set the link, as netifd's methods do
  events.length = 0;
  await client.call('network.interface.wan', 'down');
  await waitUntil(() => has('ifdown', 'wan'), 3000, 10);
  await waitUntil(() => !(JSON.parse(ns.run(['ip', '-j', 'link', 'show', 'wan0']).stdout) as { flags: string[] }[])[0]!.flags.includes('UP'), 3000, 10);
  assert.equal((await client.call('network.interface.wan', 'status'))?.autostart, false);
  await client.call('network.interface.wan', 'up');
  await waitUntil(() => has('ifup', 'wan'), 5000, 10);
  // events carry exactly netifd's fields
  assert.deepEqual(events.find((e) => e.action === 'ifup'), { action: 'ifup', interface: 'wan' });
});
