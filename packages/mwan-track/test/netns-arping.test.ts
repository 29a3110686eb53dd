/**
 * track_method arping for real: mwan-track in namespace `r` ARPs its neighbour 10.1.0.1 on wan1
 * through one long-lived arping; ARP requests dropped on the neighbour (nft `arp` family) → offline
 * after `down` rounds, allowed again → online; SIGTERM leaves no arping behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { canUseNetns, waitUntil } from 'netns-kit';
import type { UbusData } from 'ubus-ts';
import { findExecutable } from '../src/probes/arping.js';
import { actions, bus, spawnTracker, twoWan } from './helpers/lab.js';

const skip = !canUseNetns() ? 'needs root' : findExecutable('arping') === null ? 'arping is not installed (Debian: apt-get install iputils-arping; scripts/setup.sh does it)' : false;

/** pids of the direct children of `pid` */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const c = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (c) out.push(...c.split(/\s+/).map(Number));
  }
  return out;
}

const comm = (pid: number): string | null => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
};

test('arping: online through the neighbour, offline after `down` rounds of dropped ARP, back online; one arping, gone after SIGTERM', { skip }, async (t) => {
  const w = twoWan(t);
  const b = await bus(t);
  const settings = { trackIp: ['10.1.0.1'], trackMethod: 'arping', interval: 0.2, timeout: 1.2, count: 1, down: 2, up: 2, device: 'wan1' };
  const tr = spawnTracker(w, w.r, b.socketPath, 'wan1', settings);
  t.after(() => { tr.kill('SIGKILL'); });
  const diag = (): string => `events=${JSON.stringify(b.events)} log=${tr.log.join('')}`;
  await waitUntil(() => b.events.some((e) => e.action === 'connected'), 8000).catch(() => assert.fail(diag()));
  // `connected` can come before the first answered probe (initial_state online): wait for an RTT
  const tgt = await waitUntil(async () => {
    const st = (await b.client.call('mwan.track.wan1', 'status'))!;
    assert.equal(st.method, 'arping');
    const first = (st.targets as UbusData[])[0]!;
    return first.latency_ms !== null && first.latency_ms !== undefined ? first : null;
  }, 5000, 50).catch(() => assert.fail(`no ARP RTT measured: ${diag()}`));
  assert.ok((tgt!.latency_ms as number) > 0 && (tgt!.latency_ms as number) < 50, `ARP RTT ${tgt!.latency_ms} ms`);

  // the tracker is `ip netns exec` → node; its arping is node's child
  const node = children(tr.pid!).find((p) => comm(p) === 'node') ?? tr.pid!;
  const arpings = (): number[] => children(node).filter((p) => comm(p) === 'arping');
  assert.equal(arpings().length, 1, 'one arping for the one target');
  const firstArping = arpings()[0]!;

  w.far.nft(['table arp fault {', '  chain in {', '    type filter hook input priority 0;', '    arp operation request drop', '  }', '}'].join('\n'));
  await waitUntil(() => actions(b.events, 'wan1').includes('disconnected'), 8000).catch(() => assert.fail(diag()));
  const down = (await b.client.call('mwan.track.wan1', 'status'))!;
  assert.equal(down.state, 'offline');
  assert.deepEqual(actions(b.events, 'wan1'), ['connected', 'disconnecting', 'disconnected']);

  w.far.nft('delete table arp fault');
  await waitUntil(() => actions(b.events, 'wan1').filter((a) => a === 'connected').length === 2, 8000).catch(() => assert.fail(diag()));
  assert.equal((await b.client.call('mwan.track.wan1', 'status'))!.state, 'online');
  // still one helper (the lost rounds restarted it for a fresh broadcast, never one per probe)
  assert.equal(arpings().length, 1);
  const helper = arpings()[0]!;
  void firstArping;

  tr.kill('SIGTERM');
  const code = await new Promise<number | null>((res) => tr.once('exit', (c) => res(c)));
  assert.equal(code, 0);
  await waitUntil(() => comm(helper) === null, 3000).catch(() => assert.fail(`arping ${helper} left behind after SIGTERM`));
});
