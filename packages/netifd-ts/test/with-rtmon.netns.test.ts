import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, startBroker } from 'ubus-ts';
import { canUseNetns, Lab, waitUntil, type Netns } from 'netns-kit';

const NETIFD = fileURLToPath(new URL('../../bin/netifd-ts.js', import.meta.url));
const RTMON = fileURLToPath(new URL('../../../mwan-rtmon/bin/mwan-rtmon.js', import.meta.url));
const skip = !canUseNetns() && 'needs root';

function dsts(ns: Netns, table: number): string[] {
  const r = ns.run(['ip', '-4', '-j', 'route', 'show', 'table', String(table)], { allowFail: true });
  return r.code === 0 ? (JSON.parse(r.stdout) as { dst: string }[]).map((x) => x.dst).sort() : [];
}

test('mwan-rtmon learns WAN devices from netifd-ts (status at start, then ifup events)', { skip }, async (t) => {
  const lab = new Lab('nfr');
  t.after(() => lab.destroy());
  const ns = lab.netns('r');
  const peer = lab.netns('p');
  lab.link(ns, 'wan0', peer, 'isp0', { a: ['10.1.0.2/24'], b: ['10.1.0.1/24'] });
  lab.link(ns, 'wan1', peer, 'isp1', { a: ['10.2.0.2/24'], b: ['10.2.0.1/24'] });
  lab.link(ns, 'lan0', peer, 'host0', { a: ['192.168.50.1/24'], b: ['192.168.50.2/24'] });
  const dir = mkdtempSync(join(tmpdir(), 'nfr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mwan'), "config interface 'wan'\n\toption enabled '1'\n\nconfig interface 'wanb'\n\toption enabled '1'\n");
  const socket = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath: socket, credentials: 'broker' });
  t.after(() => broker.close());
  const client = await connect({ socketPath: socket, reconnect: false });
  t.after(() => client.close());

  // rtmon first: without netifd no device is known, so every WAN net is a general route
  lab.spawn(ns, [process.execPath, RTMON, '-s', socket, '-c', dir]);
  await waitUntil(() => dsts(ns, 1).length === 3 && dsts(ns, 2).length === 3, 10_000);
  assert.deepEqual(dsts(ns, 1), ['10.1.0.0/24', '10.2.0.0/24', '192.168.50.0/24']);

  // netifd-ts comes up, announces ifup; rtmon re-reads the devices and moves each WAN net
  lab.spawn(ns, [process.execPath, NETIFD, '-s', socket, '--interface', 'wan=wan0', '--interface', 'wanb=wan1']);
  await waitUntil(() => dsts(ns, 1).length === 2 && dsts(ns, 2).length === 2, 10_000);
  assert.deepEqual(dsts(ns, 1), ['10.1.0.0/24', '192.168.50.0/24']);
  assert.deepEqual(dsts(ns, 2), ['10.2.0.0/24', '192.168.50.0/24']);
  const st = await client.call('mwan.rtmon', 'status');
  assert.deepEqual((st?.interfaces as { device: string }[]).map((i) => i.device), ['wan0', 'wan1']);
});
