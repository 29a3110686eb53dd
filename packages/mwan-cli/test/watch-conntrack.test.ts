/**
 * `mwan watch`'s measured share of new connections per WAN: in a network namespace, nft puts
 * WAN marks on the conntrack entries of UDP flows (as the dataplane does), the watch reads
 * conntrack there between two screens and shows each WAN's share of the new connections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, canUseNetns } from 'netns-kit';
import { startBroker } from 'ubus-ts/broker/index';
import { connect } from 'ubus-ts/client/index';
import type { UbusData } from 'ubus-ts';
import { countNew, parseConntrack } from '../src/commands/conntrack-share.js';
import { mwandCommands, runMwandCommand, type CliContext } from '../src/commands/index.js';

test('conntrack lines: id and mark parsed; new entries counted by the WAN whose mark they carry', () => {
  const text = [
    'udp      17 29 src=10.9.0.1 dst=10.9.0.5 sport=40000 dport=9 [UNREPLIED] src=10.9.0.5 dst=10.9.0.1 sport=9 dport=40000 mark=256 use=1 id=11',
    'udp      17 29 src=10.9.0.1 dst=10.9.0.6 sport=40001 dport=9 [UNREPLIED] src=10.9.0.6 dst=10.9.0.1 sport=9 dport=40001 mark=512 use=1 id=12',
    'tcp      6 431999 ESTABLISHED src=10.9.0.1 dst=10.9.0.7 sport=1 dport=2 src=10.9.0.7 dst=10.9.0.1 sport=2 dport=1 [ASSURED] mark=16128 use=1 id=13',
    'icmp     1 29 src=10.9.0.1 dst=10.9.0.8 type=8 code=0 id=7 src=10.9.0.8 dst=10.9.0.1 type=0 code=0 id=7 mark=0 use=1 id=14',
    'conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.',
  ].join('\n');
  const e = parseConntrack(text, 'ipv4');
  // the icmp line's own "id=7" (echo id) is not the entry's id: the last id= is
  assert.deepEqual(e.map((x) => x.mark), [256, 512, 16128, 0]);
  assert.equal(e[0]!.key, 'ipv4:11');
  const wans = { wan: { mark: 0x100, mask: 0x3f00 }, wanb: { mark: 0x200, mask: 0x3f00 } };
  assert.deepEqual(countNew(new Set(['ipv4:12']), e, wans), { perWan: { wan: 1, wanb: 0 }, total: 1, other: 2 });
});

test('watch measures the share of new connections per WAN from conntrack marks', { skip: !canUseNetns() && 'needs root', timeout: 30_000 }, async (t) => {
  const lab = new Lab('mwc');
  t.after(() => lab.destroy());
  const ns = lab.netns('r');
  ns.ip('link', 'set', 'lo', 'up');
  lab.link(ns, 'd0', lab.netns('p'), 'eth0', { a: ['10.9.0.1/24'], b: ['10.9.0.2/24'] });
  // as the dataplane: a WAN's connections carry its mark in the conntrack mark
  ns.nft(`table inet t {
  chain out { type filter hook output priority 0;
    udp dport 9 ip daddr 10.9.0.5 ct mark set 0x100
    udp dport 9 ip daddr 10.9.0.6 ct mark set 0x200
  }
}`);
  const dir = mkdtempSync(join(tmpdir(), 'mwan-watch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const conntrack = join(dir, 'conntrack');
  writeFileSync(conntrack, `#!/bin/sh\nexec ip netns exec ${ns.name} conntrack "$@"\n`);
  chmodSync(conntrack, 0o755);

  const sock = join(dir, 'ubus.sock');
  const b = await startBroker({ socketPath: sock, credentials: 'broker' });
  t.after(() => b.close());
  const bus = await connect({ socketPath: sock });
  t.after(() => bus.close());
  const member = (i: string, percent: number) => ({ interface: i, member: `${i}_m`, metric: 1, weight: percent, percent });
  const reply = (d: UbusData) => ({ handler: () => d });
  await bus.addObject('mwan', {
    status: reply({ interfaces: {}, connected: { ipv4: [], ipv6: [] }, policies: { ipv4: {}, ipv6: {} } }),
    policies: reply({ policies: { balanced: { ipv4: { active: 'members', last_resort: 'unreachable', members: [member('wan', 50), member('wanb', 50)] }, ipv6: { active: 'last_resort', last_resort: 'unreachable', members: [] } } } }),
    rules: reply({ rules: [] }),
    interfaces: reply({
      interfaces: {
        wan: { id: 1, mark: 0x100, mark_mask: 0x3f00, status: 'online', device: 'd0', latency_ms: null, loss_pct: null },
        wanb: { id: 2, mark: 0x200, mark_mask: 0x3f00, status: 'online', device: 'd0', latency_ms: null, loss_pct: null },
      },
    }),
  });

  const out: string[] = [];
  const ctx: CliContext = { socket: sock, configDir: '/nonexistent', json: false, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) }, timeoutMs: 3000 };
  const watching = runMwandCommand(mwandCommands.find((c) => c.name === 'watch')!, ['--count', '2', '--interval', '60', '--conntrack', conntrack], ctx);
  for (let k = 0; k < 400 && !out.join('').includes('new conns: measured from the next refresh on'); k++) await new Promise((r) => setTimeout(r, 10));
  assert.match(out.join(''), /new conns: measured from the next refresh on/);

  // 3 new flows via wan, 1 via wanb, 2 unmarked
  const send = `const d = require('node:dgram');
for (const ip of ['10.9.0.5', '10.9.0.5', '10.9.0.5', '10.9.0.6', '10.9.0.7', '10.9.0.7']) {
  const s = d.createSocket('udp4');
  s.send('x', 9, ip, () => s.close());
}`;
  ns.run([process.execPath, '-e', send]);
  await bus.sendEvent('mwan.interface', { interface: 'wan', action: 'update' });
  assert.equal(await watching, 0);
  const second = out.join('').split('mwan status at ')[2]!;
  assert.match(second, /^wan +online +- +- +- +75% \(3\) +balanced 50%$/m, second);
  assert.match(second, /^wanb +online +- +- +- +25% \(1\) +balanced 50%$/m, second);
  assert.match(second, /\(new conns: measured over \d+\.\d s from conntrack marks: 4 via a WAN, 2 other \(main table, unmarked, local\)\)/);
});
