import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplyError, createApplier, createRecordingBackend, plan } from '../src/index.js';
import { config, httpingConfig, online, rule, state } from './fixtures.js';

const cfg = config({ rules: [rule('https', { proto: 'tcp', destPort: ['443'], sticky: true }), rule('lst', { ipset: 'vpn' }), rule('default_rule')] });

test('first apply builds everything in one nft transaction and one ip batch per family', async () => {
  const be = createRecordingBackend();
  const rep = await createApplier({ backend: be }).apply(plan(cfg, state()));
  assert.equal(be.calls.filter((c) => c.kind === 'nftApply').length, 1);
  assert.equal(be.calls.filter((c) => c.kind === 'ipApply').length, 2);
  assert.ok(rep.nftCommands > 50);
  assert.equal(be.state.ipRules.length, 16);
});

test('a no-op apply makes 0 kernel changes and calls neither nft nor ip to change anything', async () => {
  const be = createRecordingBackend();
  const ap = createApplier({ backend: be });
  await ap.apply(plan(cfg, state()));
  be.calls.length = 0;
  const rep = await ap.apply(plan(cfg, state()));
  assert.equal(rep.changes, 0);
  assert.deepEqual(be.calls.filter((c) => c.kind === 'nftApply' || c.kind === 'ipApply'), []);
});

test('a verdict change is a small transaction: only the chains that mention the WAN; live sets keep their elements', async () => {
  const be = createRecordingBackend();
  const ap = createApplier({ backend: be });
  await ap.apply(plan(cfg, state()));
  be.addElements('connected_v4', ['192.168.1.0/24']);
  be.addElements('vpn', ['203.0.113.9']);
  be.addElements('sticky_https_wan_v4', ['192.168.1.10']);
  be.addElements('sticky_https_wanb_v4', ['192.168.1.11']);
  const rep = await ap.apply(plan(cfg, state({ wanb: online('eth2', { status: 'offline', gateway: '198.51.100.1' }) })));
  assert.deepEqual(rep.chainsWritten.sort(), ['policy_balanced_v4', 'policy_wan_wanb_v4', 'sticky_https_v4']);
  assert.deepEqual(rep.setsFlushed, ['sticky_https_wanb_v4'], 'sticky entries of the WAN that left are dropped');
  assert.ok(rep.nftCommands < 15, `small transaction (${rep.nftCommands} commands)`);
  assert.equal(rep.ipChanges, 0, 'offline by tracking keeps rules and routes (mwan3)');
  assert.deepEqual(be.state.sets.get('connected_v4')!.elem, ['192.168.1.0/24']);
  assert.deepEqual(be.state.sets.get('vpn')!.elem, ['203.0.113.9']);
  assert.deepEqual(be.state.sets.get('sticky_https_wan_v4')!.elem, ['192.168.1.10']);
});

test('ifdown removes that WAN\'s rules and route in both families; foreign rules stay', async () => {
  const be = createRecordingBackend();
  const ap = createApplier({ backend: be });
  be.state.ipRules.push({ family: 'ipv6', pref: 500, fwmark: { mark: 0x1, mask: 0xff }, action: 'lookup', table: 100 });
  be.state.ipRules.push({ family: 'ipv4', pref: 4100, action: 'lookup', table: 7 });
  await ap.apply(plan(cfg, state()));
  const rep = await ap.apply(plan(cfg, state({ wan6: undefined })));
  assert.deepEqual(rep.ipOps.map((o) => ('rule' in o ? `${o.op} rule ${o.rule.family} ${o.rule.pref}` : `${o.op} route ${o.route.family} ${o.route.table}`)).sort(),
    ['del route ipv6 2', 'del rule ipv6 1002', 'del rule ipv6 2002', 'del rule ipv6 3002']);
  assert.ok(be.state.ipRules.some((r) => r.pref === 500) && be.state.ipRules.some((r) => r.pref === 4100));
});

test('config change removes obsolete chains and sets; a failed nft transaction leaves state as it was', async () => {
  const be = createRecordingBackend();
  const ap = createApplier({ backend: be });
  await ap.apply(plan(cfg, state()));
  const smaller = config({ rules: [rule('default_rule')] });
  const rep = await ap.apply(plan(smaller, state()));
  assert.ok(rep.removed.includes('chain sticky_https_v4'));
  assert.ok(rep.removed.includes('set sticky_https_wan_v4'));
  assert.ok(rep.removed.includes('set vpn'));
  assert.equal((await ap.apply(plan(smaller, state()))).changes, 0);
  const before = structuredClone(be.state);
  await assert.rejects(be.nftApply([{ add: { rule: { family: 'inet', table: 'mwan', chain: 'nochain', expr: [] } } }]));
  assert.deepEqual(be.state, before);
});

test('flush_conntrack is scoped to the WAN mark', async () => {
  const be = createRecordingBackend();
  be.conntrack.push(0x100, 0x200, 0x100 | 0x1, 0x3f00);
  const n = await createApplier({ backend: be }).flushConntrack(0x100, 0x3f00);
  assert.equal(n, 2);
  assert.deepEqual(be.conntrack, [0x200, 0x3f00]);
});

test('trustCache: later applies read only the structure, give the same result, and still notice a deleted chain', async () => {
  const full = createRecordingBackend();
  const fast = createRecordingBackend();
  const apFull = createApplier({ backend: full });
  const apFast = createApplier({ backend: fast, trustCache: true });
  for (const ap of [apFull, apFast]) await ap.apply(plan(cfg, state()));
  fast.addElements('sticky_https_wanb_v4', ['192.168.1.11']);
  const down = plan(cfg, state({ wanb: online('eth2', { status: 'offline', gateway: '198.51.100.1' }) }));
  const a = await apFull.apply(down);
  fast.calls.length = 0;
  const b = await apFast.apply(down);
  assert.equal(b.read, 'cached');
  assert.ok(fast.calls.some((c) => c.kind === 'nftList' && c.detail === 'structure'));
  assert.deepEqual([b.chainsWritten.sort(), b.setsFlushed], [a.chainsWritten.sort(), ['sticky_https_wanb_v4']]);
  assert.deepEqual(fast.state.sets.get('sticky_https_wanb_v4')!.elem, []);
  assert.equal((await apFast.apply(down)).changes, 0);
  // someone deletes a chain behind our back: the structure read notices and restores it
  await fast.nftApply([{ flush: { chain: { family: 'inet', table: 'mwan', name: 'policy_wan_wanb_v6' } } }, { delete: { chain: { family: 'inet', table: 'mwan', name: 'policy_wan_wanb_v6' } } }]);
  const fix = await apFast.apply(down);
  assert.deepEqual(fix.chainsWritten, ['policy_wan_wanb_v6']);
  // a flushed chain keeps its name, so only a full read sees it
  await fast.nftApply([{ flush: { chain: { family: 'inet', table: 'mwan', name: 'classify' } } }]);
  assert.equal((await apFast.apply(down)).changes, 0);
  const repaired = await apFast.apply(down, { full: true });
  assert.equal(repaired.read, 'full');
  assert.deepEqual(repaired.chainsWritten, ['classify']);
});

test('the whole desired state is checked before anything changes: a bad ip part leaves nft untouched (0 changes)', async () => {
  const be = createRecordingBackend();
  const ap = createApplier({ backend: be });
  await ap.apply(plan(cfg, state()));
  const before = structuredClone(be.state);
  // a verdict change (nft would change) combined with a bad value in each ip part in turn
  const bads: Array<[string, (d: ReturnType<typeof plan>) => void, RegExp]> = [
    ['route via', (d) => { d.routes[0]!.via = '1.2.3.4 dev x'; }, /route table 1: via "1\.2\.3\.4 dev x"/],
    ['route dev', (d) => { d.routes[0]!.dev = 'eth1; rm -rf /'; }, /route table 1: dev "eth1; rm -rf \/"/],
    ['rule iif', (d) => { d.ipRules.find((r) => r.iif)!.iif = 'x y'; }, /ip rule pref 1001: iif "x y"/],
    ['v6 route with a v4 gateway', (d) => { d.routes.find((r) => r.family === 'ipv6')!.via = '192.0.2.1'; }, /via "192\.0\.2\.1" is not an ipv6 address/],
    ['nft interface', (d) => { d.wans[0]!.device = 'eth1 x'; }, /wan 'wan': device "eth1 x"/],
  ];
  for (const [what, spoil, msg] of bads) {
    const d = plan(cfg, state({ wanb: online('eth2', { status: 'offline', gateway: '198.51.100.1' }) }));
    spoil(d);
    be.calls.length = 0;
    await assert.rejects(ap.apply(d), (e: unknown) => e instanceof ApplyError && e.code === 'APPLY_BAD_DESIRED' && msg.test(e.message), what);
    assert.deepEqual(be.calls.filter((c) => c.kind === 'nftApply' || c.kind === 'ipApply'), [], `${what}: nothing applied`);
    assert.deepEqual(be.state, before, what);
  }
  // a device in an nft rule that is not in wans[] is caught too
  const d = plan(cfg, state());
  const cls = d.nft.chains.find((c) => c.name === 'classify')!;
  const vm = cls.rules.map((r) => r.expr.find((s) => 'vmap' in s)).find((s) => s && JSON.stringify(s).includes('iifname')) as { vmap: { data: { set: Array<[unknown, unknown]> } } };
  vm.vmap.data.set[0]![0] = 'eth1"; flush ruleset';
  await assert.rejects(ap.apply(d), /nft chain classify: interface "eth1\\"; flush ruleset" is not a valid interface name/);
  assert.deepEqual(be.state, before);
  // and the next good apply works
  assert.ok((await ap.apply(plan(cfg, state({ wanb: online('eth2', { status: 'offline', gateway: '198.51.100.1' }) })))).nftCommands > 0);
});

test('a WAN address change is a small element update of src_wan_v4 only; removing the WAN empties it before its chain goes', async () => {
  const be = createRecordingBackend();
  const ap = createApplier({ backend: be, trustCache: true });
  const cfg = httpingConfig({ rules: [rule('default_rule')] });
  const st = (addr: string) => state({ wanb: online('eth2', { gateway: '198.51.100.1', addresses: [`${addr}/24`] }) });
  await ap.apply(plan(cfg, st('198.51.100.7')));
  const elems = () => be.state.maps.get('src_wan_v4')!.elem;
  assert.deepEqual(elems(), [['198.51.100.7', { goto: { target: 'mark_wanb' } }]]);
  assert.equal((await ap.apply(plan(cfg, st('198.51.100.7')))).changes, 0, 'no-op (cached read)');
  assert.equal((await ap.apply(plan(cfg, st('198.51.100.7')), { full: true })).changes, 0, 'no-op (full read compares listed elements)');
  const rep = await ap.apply(plan(cfg, st('198.51.100.9')));
  assert.equal(rep.nftCommands, 2, 'flush map + add element');
  assert.deepEqual(rep.mapsWritten, ['src_wan_v4']);
  assert.deepEqual(rep.chainsWritten, []);
  assert.deepEqual(elems(), [['198.51.100.9', { goto: { target: 'mark_wanb' } }]]);
  // wanb removed from the config: its mark chain is deleted; the simulated kernel refuses to
  // delete a chain a map element still points at, so the order is checked too
  const cfg2 = { ...cfg, interfaces: cfg.interfaces.map((i) => (i.name === 'wanb' ? { ...i, enabled: false } : i)) };
  await ap.apply(plan(cfg2, st('198.51.100.9')));
  assert.deepEqual(elems(), []);
  assert.ok(!be.state.chains.has('mark_wanb'));
});

test('a bad map element is refused before anything changes', async () => {
  const be = createRecordingBackend();
  const d = plan(cfg, state());
  d.nft.maps![0]!.elements.push(['192.0.2.1; flush ruleset', 'mark_wan']);
  await assert.rejects(createApplier({ backend: be }).apply(d), (e: unknown) => e instanceof ApplyError && e.code === 'APPLY_BAD_DESIRED' && /src_wan_v4/.test(e.message));
  assert.equal(be.calls.filter((c) => c.kind === 'nftApply').length, 0);
});
