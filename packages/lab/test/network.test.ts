import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns } from 'netns-kit';
import { defaultTopology, wanBySource } from '../src/topology.js';
import { buildNetwork } from '../src/network.js';
import { applyFault } from '../src/faults.js';
import { delayRuleset } from '../src/responder.js';
import { spawnNode, nextLine } from '../src/processes.js';

const topo = defaultTopology();

test('lab network: LAN flows reach the internet service and name the WAN they used; faults and delays bite', { skip: !canUseNetns() && 'needs root' }, async (t) => {
  const net = buildNetwork(topo, 'lt');
  t.after(() => net.lab.destroy());
  const responder = spawnNode(net.lab, net.inet, 'responder-main.js', [String(topo.servicePort), topo.serviceV4, topo.serviceV6], () => {});
  await nextLine(responder, (j) => j.ready);

  const runFor = async (ms: number, target = topo.serviceV4) => {
    const events: any[] = [];
    const child = spawnNode(net.lab, net.lan, 'traffic-main.js', [target, String(topo.servicePort), String(ms)], (j) => events.push(j));
    await new Promise((r) => child.once('exit', r));
    return events;
  };

  // without mwan the main table's lowest-metric default route (fibre) carries everything
  let ev = await runFor(600);
  const replies = ev.filter((e) => e.kind === 'reply');
  assert.ok(replies.length > 10, `only ${replies.length} replies`);
  assert.ok(replies.every((e) => wanBySource(topo, e.via)?.name === 'fibre'), JSON.stringify(replies.slice(0, 3)));

  ev = await runFor(400, topo.serviceV6);
  assert.ok(ev.some((e) => e.kind === 'reply' && wanBySource(topo, e.via)?.name === 'fibre'), 'IPv6 flows reach the service');

  // a dead uplink drops everything
  applyFault(net.isps.get('fibre')!, { kind: 'down' });
  ev = await runFor(400);
  assert.equal(ev.filter((e) => e.kind === 'reply').length, 0);
  applyFault(net.isps.get('fibre')!, { kind: 'up' });
  ev = await runFor(400);
  assert.ok(ev.filter((e) => e.kind === 'reply').length > 5, 'healed link carries traffic again');

  // injected delay for pings through cable: the router's ping via wan2 sees it
  const cable = topo.wans[1]!;
  responder.stdin!.write(JSON.stringify({ delay: { [cable.upstreamV4.isp]: 150 } }) + '\n');
  await nextLine(responder, (j) => j.ok);
  net.inet.nft(delayRuleset([cable.upstreamV4.isp]));
  const ping = net.router.run(['ping', '-c2', '-i0.2', '-W2', '-I', cable.device, topo.targetsV4[0]!], { allowFail: true });
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  const rtts = [...ping.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  assert.ok(rtts.length === 2 && rtts.every((r) => r >= 140 && r < 600), `rtts ${rtts}`);
  responder.stdin!.end();
});
