import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, baseChainObj, chainObj, counter, createNftClient, goTo, jhash, lookup, match, meta, and, NftError,
  numgen, payload, ruleObj, setBits, tableObj, vmap, wrap, type Runner,
} from '../src/index.js';

const T = { family: 'inet' as const, table: 'mwan' };

test('expressions have the exact shape nft -j prints', () => {
  assert.deepEqual(setBits(meta('mark'), 0x3f00, 0x100), {
    mangle: { key: { meta: { key: 'mark' } }, value: { '|': [{ '&': [{ meta: { key: 'mark' } }, 0xffffc0ff] }, 0x100] } },
  });
  assert.deepEqual(vmap(numgen('random', 4), [[3, goTo('x')]]), {
    vmap: { key: { numgen: { mode: 'random', mod: 4, offset: 0 } }, data: { set: [[3, { goto: { target: 'x' } }]] } },
  });
  assert.deepEqual(jhash(payload('ip', 'saddr'), 4), { jhash: { mod: 4, seed: 0, offset: 0, expr: { payload: { protocol: 'ip', field: 'saddr' } } } });
  assert.deepEqual(lookup(payload('ip', 'daddr'), 'connected_v4', true), {
    match: { op: '!=', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: '@connected_v4' },
  });
  assert.deepEqual(match(and(meta('mark'), 0x3f00), 0), { match: { op: '==', left: { '&': [{ meta: { key: 'mark' } }, 0x3f00] }, right: 0 } });
});

test('apply sends ONE nft -j -f - call with the whole document, inside the netns prefix', async () => {
  const calls: Array<{ argv: readonly string[]; input?: string }> = [];
  const runner: Runner = async (argv, input) => { calls.push({ argv, input }); return { code: 0, stdout: '', stderr: '' }; };
  const nft = createNftClient({ runner, netns: 'lab1', input: 'stdin' });
  await nft.apply([add(wrap('table', tableObj(T))), add(wrap('chain', chainObj(T, 'c'))), add(wrap('rule', ruleObj(T, 'c', [counter()])))]);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.argv, ['ip', 'netns', 'exec', 'lab1', 'nft', '-j', '-f', '-']);
  const doc = JSON.parse(calls[0]!.input!);
  assert.equal(doc.nftables.length, 3);
  await nft.apply([]);
  assert.equal(calls.length, 1, 'an empty transaction starts no process');
});

test('a netns name that is not a plain word is refused', () => {
  assert.throws(() => createNftClient({ netns: 'a b;rm' }), TypeError);
});

test('a kernel rejection names the failing command found by bisecting with nft -c', async () => {
  // fake nft: any document containing a rule for chain "bad" fails
  const runner: Runner = async (_argv, input) => {
    const bad = (input ?? '').includes('"chain":"bad"') && (input ?? '').includes('"rule"');
    return bad ? { code: 1, stdout: '', stderr: 'internal:0:0-0: Error: Could not process rule: No such file or directory\n' } : { code: 0, stdout: '', stderr: '' };
  };
  const nft = createNftClient({ runner, input: 'stdin' });
  const cmds = [add(wrap('table', tableObj(T))), add(wrap('chain', chainObj(T, 'ok'))), add(wrap('rule', ruleObj(T, 'bad', [counter()]))), add(wrap('chain', chainObj(T, 'z')))];
  await assert.rejects(nft.apply(cmds), (e: unknown) => {
    assert.ok(e instanceof NftError);
    assert.equal(e.code, 'NFT_APPLY_FAILED');
    assert.equal(e.index, 2);
    assert.deepEqual(e.command, cmds[2]);
    return true;
  });
});

test('a base chain carries hook, priority and accept policy', () => {
  assert.deepEqual(baseChainObj(T, 'pre', { type: 'filter', hook: 'prerouting', prio: -150 }), {
    family: 'inet', table: 'mwan', name: 'pre', type: 'filter', hook: 'prerouting', prio: -150, policy: 'accept',
  });
});

test('the default file input leaves no temp file behind', async () => {
  const { existsSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  let seen = '';
  let existedDuringRun = false;
  const runner: Runner = async (argv) => { seen = argv[argv.length - 1]!; existedDuringRun = existsSync(seen); return { code: 0, stdout: '', stderr: '' }; };
  await createNftClient({ runner }).apply([add(wrap('table', tableObj(T)))]);
  assert.match(seen, /nft-json-[^/]+\/ruleset\.json$/);
  assert.ok(existedDuringRun, 'nft got a file that existed');
  assert.ok(!existsSync(dirname(seen)), 'temp dir removed');
});
