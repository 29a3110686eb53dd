import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, canUseNetns } from 'netns-kit';
import {
  add, and, anonSet, baseChainObj, chainObj, counter, createNftClient, del, elementObj, flush, goTo, jhash, log,
  lookup, mapObj, match, meta, NftError, numgen, payload, ruleObj, setBits, setObj, setUpdate, tableObj, vmap, wrap, jump,
} from '../src/index.js';

const T = { family: 'inet' as const, table: 'mwan' };
const skip = !canUseNetns() && 'needs root';

test('real nft: one transaction builds sets, maps, verdict maps, dynamic sets; reads back; foreign table untouched', { skip }, async (t) => {
  const lab = new Lab('nj');
  t.after(() => lab.destroy());
  const ns = lab.netns('a');
  ns.nft('table inet fw4 {\n chain input {\n type filter hook input priority 0; policy accept;\n counter\n }\n}\n');
  const nft = createNftClient({ netns: ns.name });
  await nft.apply([
    add(wrap('table', tableObj(T))),
    add(wrap('set', setObj(T, 'connected_v4', 'ipv4_addr', { flags: ['interval'] }))),
    add(wrap('set', setObj(T, 'sticky', 'ipv4_addr', { flags: ['timeout'], timeout: 600 }))),
    add(wrap('map', mapObj(T, 'wan_in', 'ifname', 'verdict'))),
    add(wrap('chain', chainObj(T, 'mark_1'))),
    add(wrap('rule', ruleObj(T, 'mark_1', [setBits(meta('mark'), 0x3f00, 0x100), setBits({ ct: { key: 'mark' } }, 0x3f00, 0x100)]))),
    add(wrap('chain', baseChainObj(T, 'prerouting', { type: 'filter', hook: 'prerouting', prio: -150 }))),
    add(wrap('rule', ruleObj(T, 'prerouting', [match(and(meta('mark'), 0x3f00), 0), lookup(payload('ip', 'daddr'), 'connected_v4'), counter(), log({ prefix: 'X ' }), jump('mark_1')], 'c1'))),
    add(wrap('rule', ruleObj(T, 'prerouting', [vmap(numgen('random', 4), [[{ range: [0, 2] }, goTo('mark_1')], [3, goTo('mark_1')]])]))),
    add(wrap('rule', ruleObj(T, 'prerouting', [vmap(jhash(payload('ip', 'saddr'), 2), [[0, goTo('mark_1')], [1, goTo('mark_1')]])]))),
    add(wrap('rule', ruleObj(T, 'prerouting', [setUpdate('sticky', payload('ip', 'saddr'))]))),
    add(elementObj(T, 'connected_v4', [{ prefix: { addr: '10.0.0.0', len: 8 } }, '192.0.2.1'])),
    add(elementObj(T, 'wan_in', [['eth1', goTo('mark_1')]] as never)),
  ]);
  const rs = await nft.listTable('inet', 'mwan');
  assert.deepEqual(rs.sets.map((s) => s.name).sort(), ['connected_v4', 'sticky']);
  assert.equal(rs.maps[0]!.name, 'wan_in');
  assert.equal(rs.rules.filter((r) => r.chain === 'prerouting').length, 4);
  assert.equal(rs.rules.find((r) => r.chain === 'prerouting')!.comment, 'c1');
  const conn = rs.sets.find((s) => s.name === 'connected_v4')!;
  assert.equal(conn.elem!.length, 2);
  // cheap structure reads: chains of every inet table without rules, sets without elements
  const chains = await nft.listChains('inet');
  assert.deepEqual(chains.chains.filter((c) => c.table === 'mwan').map((c) => c.name).sort(), ['mark_1', 'prerouting']);
  assert.equal(chains.rules.length, 0);
  const sets = await nft.listSets('inet');
  assert.equal(sets.sets.find((s) => s.name === 'connected_v4')!.elem, undefined);

  // a failing transaction changes nothing and names the offender
  const before = (await nft.listRuleset()).rules.length;
  const bad = [flush(wrap('chain', chainObj(T, 'mark_1'))), add(wrap('rule', ruleObj(T, 'nochain', [counter()])))];
  await assert.rejects(nft.apply(bad), (e: unknown) => e instanceof NftError && e.code === 'NFT_APPLY_FAILED' && e.index === 1);
  assert.equal((await nft.listRuleset()).rules.length, before, 'failed transaction rolled back (mark_1 not flushed)');

  await nft.apply([del(wrap('table', tableObj(T)))]);
  await assert.rejects(nft.listTable('inet', 'mwan'), (e: unknown) => e instanceof NftError && e.code === 'NFT_NOT_FOUND');
  const fw4 = await nft.listTable('inet', 'fw4');
  assert.equal(fw4.chains[0]!.name, 'input');
  void anonSet;
});

test('real nft rejects one command in the middle of a transaction: NftError names its index and the command; nothing changed', { skip }, async (t) => {
  const lab = new Lab('nr');
  t.after(() => lab.destroy());
  const ns = lab.netns('a');
  const nft = createNftClient({ netns: ns.name });
  await nft.apply([add(wrap('table', tableObj(T))), add(wrap('chain', chainObj(T, 'c'))), add(wrap('rule', ruleObj(T, 'c', [counter()])))]);
  const offender = add(wrap('rule', ruleObj(T, 'c', [lookup(payload('ip', 'daddr'), 'no_such_set'), counter()])));
  const tx = [
    flush(wrap('chain', chainObj(T, 'c'))),
    add(wrap('set', setObj(T, 's1', 'ipv4_addr'))),
    offender,
    add(wrap('rule', ruleObj(T, 'c', [lookup(payload('ip', 'daddr'), 's1'), counter()]))),
  ];
  await assert.rejects(nft.apply(tx), (e: unknown) => {
    assert.ok(e instanceof NftError);
    assert.equal(e.code, 'NFT_APPLY_FAILED');
    assert.equal(e.index, 2);
    assert.deepEqual(e.command, offender);
    assert.match(e.message, /at command 2/);
    assert.ok(e.stderr && e.stderr.length > 0, 'nft stderr kept');
    return true;
  });
  const rs = await nft.listTable('inet', 'mwan');
  assert.equal(rs.rules.length, 1, 'flush rolled back: the original rule is still there');
  assert.deepEqual(rs.sets, [], 'set s1 not created');
});
