/**
 * Tables rtmon no longer owns are cleaned: an interface removed from the config or disabled
 * (resync after a reload), and, at start, a table left behind by an earlier run whose interface
 * is gone — but only when mwan's own ip rules (pref 1000+N / 2000+N lookup N) mark it as mwan's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canUseNetns, waitUntil } from 'netns-kit';
import { makeBed, tableDsts, waitRtmonReady } from './helpers.js';

const skip = !canUseNetns() && 'needs root';

const conf = (ifaces: Array<[string, 0 | 1]>): string => ["config globals 'globals'", "\toption mmx_mask '0x3F00'", '',
  ...ifaces.flatMap(([n, en]) => [`config interface '${n}'`, `\toption enabled '${en}'`, ''])].join('\n');

test('resync after a reload: a removed interface\'s table and a disabled interface\'s table are emptied; defaults stay', { skip, timeout: 20_000 }, async (t) => {
  const bed = await makeBed(t, { config: conf([['wan', 1], ['wanb', 1], ['wanc', 1]]) });
  bed.startRtmon();
  await waitRtmonReady(bed);
  bed.ns.ip('route', 'add', '198.51.100.0/24', 'via', '192.168.50.2');
  bed.ns.ip('route', 'add', 'default', 'via', '10.2.0.1', 'table', '2');
  await waitUntil(() => [1, 2, 3].every((n) => tableDsts(bed.ns, n).includes('198.51.100.0/24')), 3000, 10);

  // wanc removed: table 3 is no longer anyone's
  writeFileSync(join(bed.dir, 'mwan'), conf([['wan', 1], ['wanb', 1]]));
  await bed.client.call('mwan.rtmon', 'resync');
  assert.deepEqual(tableDsts(bed.ns, 3), [], 'table of the removed interface emptied');
  assert.ok(tableDsts(bed.ns, 1).includes('198.51.100.0/24'));

  // wanb disabled: its table is emptied except the default route (mwand's)
  writeFileSync(join(bed.dir, 'mwan'), conf([['wan', 1], ['wanb', 0]]));
  await bed.client.call('mwan.rtmon', 'resync');
  assert.deepEqual(tableDsts(bed.ns, 2), ['default']);
  assert.ok(tableDsts(bed.ns, 1).includes('198.51.100.0/24'));
});

test('at start: a left-behind table with mwan\'s ip rules is cleaned; one without them (not mwan\'s) is left alone', { skip, timeout: 20_000 }, async (t) => {
  const bed = await makeBed(t, { config: conf([['wan', 1], ['wanb', 1]]) });
  // what an earlier run with four interfaces left: copies in tables 3 and 4; mwand's rules for 3 only
  for (const n of ['3', '4']) bed.ns.ip('route', 'add', '198.51.100.0/24', 'via', '192.168.50.2', 'table', n);
  bed.ns.ip('route', 'add', 'default', 'via', '10.1.0.1', 'table', '3');
  bed.ns.ip('rule', 'add', 'pref', '2003', 'fwmark', '0x300/0x3f00', 'lookup', '3');
  // a user's table 5 with an unrelated rule at another pref
  bed.ns.ip('route', 'add', '203.0.113.0/24', 'via', '192.168.50.2', 'table', '5');
  bed.ns.ip('rule', 'add', 'pref', '500', 'lookup', '5');
  bed.startRtmon();
  await waitRtmonReady(bed);
  await waitUntil(() => tableDsts(bed.ns, 3).length === 1, 3000, 10).catch(() => undefined);
  assert.deepEqual(tableDsts(bed.ns, 3), ['default'], 'mwan\'s stale copies removed, its default left to mwand');
  assert.deepEqual(tableDsts(bed.ns, 4), ['198.51.100.0/24'], 'no mwan rule for table 4: not provably mwan\'s, untouched');
  assert.deepEqual(tableDsts(bed.ns, 5), ['203.0.113.0/24'], 'a user\'s table is untouched');
});
