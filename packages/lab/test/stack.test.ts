import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canUseNetns, waitUntil } from 'netns-kit';
import { defaultTopology } from '../src/topology.js';
import { startLab, stopLab } from '../src/run.js';

const topo = defaultTopology();

test('init script on a running system: start again restores the trackers procd dropped; a no-op reload restarts nothing', { skip: !canUseNetns() && 'needs root' }, async (t) => {
  const s = await startLab(topo, 30_000);
  t.after(() => stopLab(s));
  const instances = async (): Promise<Record<string, { pid?: number }>> => (await s.stack.agent().call('service', 'list', { name: 'mwan' }))?.mwan?.instances ?? {};
  const trackers = (i: Record<string, unknown>) => Object.keys(i).filter((k) => k.startsWith('track_')).sort();
  const want = topo.wans.flatMap((w) => [`track_${w.name}`, `track_${w.name}6`]).sort();
  await waitUntil(async () => trackers(await instances()).length === want.length, 10_000);
  const before = await instances();
  assert.deepEqual(trackers(before), want);

  // `service set` from the init script replaces the service's instances: procd stops the trackers
  await s.stack.initScript('start');
  await waitUntil(async () => trackers(await instances()).length === want.length && Object.values(await instances()).every((i) => i.pid), 10_000);
  const after = await instances();
  assert.deepEqual(trackers(after), want);
  assert.equal(after.mwand?.pid, before.mwand?.pid, 'mwand itself was not restarted');

  // a reload with an unchanged config touches nothing
  await s.stack.initScript('reload');
  await new Promise((r) => setTimeout(r, 1500));
  const again = await instances();
  for (const k of Object.keys(after)) assert.equal(again[k]?.pid, after[k]?.pid, `${k} kept its pid`);
});
