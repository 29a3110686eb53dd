import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { canUseNetns, waitUntil } from 'netns-kit';
import { buildTopo, fillConnected, INET4, labConfig } from './topo.js';

const skip = !canUseNetns() && 'needs root';
const helper = (n: string) => fileURLToPath(new URL(`./helpers/${n}.js`, import.meta.url));

test('real traffic: replies to a connection that came in on a WAN leave by that WAN, not by the main default route', { skip, timeout: 30_000 }, async (t) => {
  const topo = await buildTopo(3);
  t.after(() => topo.lab.destroy());
  const { router } = topo;
  router.ip('route', 'add', 'default', 'via', '10.0.3.2'); // main table says: WAN 3
  let ready = false;
  const echo = topo.lab.spawn(router, [process.execPath, helper('tcp-echo')], { stdio: ['pipe', 'pipe', 'inherit'] });
  echo.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('ready')) ready = true; });
  await waitUntil(() => ready, 5000);
  const cfg = labConfig(3, {
    policies: [{ name: 'p', members: ['m_wan1'], lastResort: 'unreachable' }],
    rules: [{ name: 'all', family: 'any', policy: 'p' }],
  });
  await topo.apply(cfg, topo.state());
  fillConnected(router, 3);
  // the asker in WAN n connects from the shared internet address; only a reply that leaves the router
  // by WAN n can reach it (the same address in other WAN namespaces has no socket on that port)
  const ask = (wan: number, port: number) =>
    topo.wans[wan - 1]!.run([process.execPath, helper('tcp-ask'), `10.0.${wan}.1`, '6000', INET4, String(port), '1000']).stdout.trim();
  assert.equal(ask(2, 7000), 'reply', 'asked via WAN 2 (main default is WAN 3): answered via WAN 2');
  assert.equal(ask(1, 7001), 'reply', 'asked via WAN 1: answered via WAN 1');
  // control: without our table the answer follows main (WAN 3) and never reaches the asker
  router.run(['nft', 'delete', 'table', 'inet', 'mwan']);
  assert.equal(ask(2, 7002), 'timeout');
});
