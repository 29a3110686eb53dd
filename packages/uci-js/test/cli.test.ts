import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUci } from '../src/index.js';

interface Env {
  conf: string;
  save: string;
  root: string;
  uci: (args: string[], stdin?: string) => Promise<{ code: number; out: string; err: string }>;
}

function env(t: { after: (fn: () => void) => void }): Env {
  const root = mkdtempSync(join(tmpdir(), 'uci-cli-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const conf = join(root, 'config');
  const save = join(root, 'save');
  mkdirSync(conf);
  const uci = async (args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runUci(['-c', conf, '-t', save, ...args], {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      readStdin: async () => stdin,
    });
    return { code, out, err };
  };
  return { conf, save, root, uci };
}

// Expected texts below are libuci's own test references (tests/shunit2/references).
test('import → file as commit writes it (import.data → import.result)', async (t) => {
  const e = env(t);
  const data =
    "package 'import-test'\n\nconfig 'type' 'section'\n\toption 'opt' 'val'\n\tlist 'list_opt' 'val0'\n\tlist 'list_opt' 'val1'\n" +
    "\toption mul_line_opt_sq \\''line 1\nline 2 \\\nline 3'\\'\n\toption mul_line_opt_dq \"\\\"Hello, \\\nWorld.\\'\n\"\n";
  const r = await e.uci(['import'], data);
  assert.equal(r.code, 0);
  assert.equal(
    readFileSync(join(e.conf, 'import-test'), 'utf8'),
    "\nconfig type 'section'\n\toption opt 'val'\n\tlist list_opt 'val0'\n\tlist list_opt 'val1'\n" +
      "\toption mul_line_opt_sq ''\\''line 1\nline 2 \\\nline 3'\\'''\n\toption mul_line_opt_dq '\"Hello, World.'\\''\n'\n\n",
  );
});

test('get / show / -X show / export outputs', async (t) => {
  const e = env(t);
  writeFileSync(join(e.conf, 'test'), "config 'type' 'section'\n\toption 'opt' 'val'\n\nconfig 'unnamed'\n\toption 'opt1' 'val1'\n\tlist l 'a b'\n\tlist l c\n");
  assert.deepEqual(await e.uci(['get', 'test.section.opt']), { code: 0, out: 'val\n', err: '' });
  assert.deepEqual(await e.uci(['get', 'test.section']), { code: 0, out: 'type\n', err: '' });
  assert.deepEqual(await e.uci(['get', 'test.@unnamed[0].l']), { code: 0, out: "'a b' c\n", err: '' });
  assert.equal(
    (await e.uci(['show', 'test'])).out,
    "test.section=type\ntest.section.opt='val'\ntest.@unnamed[0]=unnamed\ntest.@unnamed[0].opt1='val1'\ntest.@unnamed[0].l='a b' 'c'\n",
  );
  assert.equal((await e.uci(['-X', 'show', 'test'])).out.split('\n')[2], 'test.cfg026c0d=unnamed');
  assert.equal((await e.uci(['show', 'test.section.opt'])).out, "test.section.opt='val'\n");
  assert.equal(
    (await e.uci(['export', 'test'])).out,
    "package test\n\nconfig type 'section'\n\toption opt 'val'\n\nconfig unnamed\n\toption opt1 'val1'\n\tlist l 'a b'\n\tlist l 'c'\n\n",
  );
});

test('errors and exit codes as uci prints them', async (t) => {
  const e = env(t);
  writeFileSync(join(e.conf, 'test'), "config t 's'\n\toption o v\n");
  writeFileSync(join(e.conf, 'broken'), "config alias' 'a'\n");
  assert.deepEqual(await e.uci(['get', 'test.s.nope']), { code: 1, out: '', err: 'uci: Entry not found\n' });
  assert.deepEqual(await e.uci(['-q', 'get', 'test.s.nope']), { code: 1, out: '', err: '' });
  assert.deepEqual(await e.uci(['get', 'nopkg.s']), { code: 1, out: '', err: 'uci: Entry not found\n' });
  assert.deepEqual(await e.uci(['get', 'test.@']), { code: 1, out: '', err: 'uci: Invalid argument\n' });
  assert.deepEqual(await e.uci(['set', 'test.nosec.o=v']), { code: 1, out: '', err: 'uci: Invalid argument\n' });
  assert.deepEqual(await e.uci(['show', 'broken']), { code: 1, out: '', err: "uci: Parse error (EOF with unterminated ') at line 1, byte 18\n" });
  const add = await e.uci(['add', 'nopkg', 'x']);
  assert.equal(add.code, 3); // uci add returns libuci's error number
  const bad = await e.uci(['frobnicate']);
  assert.equal(bad.code, 255);
  assert.match(bad.err, /^Usage: uci \[<options>\] <command>/);
  assert.equal((await e.uci(['get'])).code, 255);
});

test('set/add_list/changes/commit/del_list follow libuci (list tests of tests.d/080_list)', async (t) => {
  const e = env(t);
  writeFileSync(join(e.conf, 'list_test_config'), '');
  await e.uci(['set', 'list_test_config.SEC0=section']);
  await e.uci(['add_list', 'list_test_config.SEC0.list0=value0']);
  await e.uci(['add_list', 'list_test_config.SEC0.list0="Hello\n, world"']);
  assert.equal(
    (await e.uci(['changes'])).out,
    "list_test_config.SEC0='section'\nlist_test_config.SEC0.list0+='value0'\nlist_test_config.SEC0.list0+='\"Hello\n, world\"'\n",
  );
  assert.equal((await e.uci(['get', 'list_test_config.SEC0.list0'])).out, "value0 '\"Hello\n, world\"'\n");
  assert.equal((await e.uci(['commit'])).code, 0);
  assert.equal(readFileSync(join(e.conf, 'list_test_config'), 'utf8'), "\nconfig section 'SEC0'\n\tlist list0 'value0'\n\tlist list0 '\"Hello\n, world\"'\n\n");
  await e.uci(['del_list', 'list_test_config.SEC0.list0=value0']);
  await e.uci(['commit']);
  assert.equal(readFileSync(join(e.conf, 'list_test_config'), 'utf8'), "\nconfig section 'SEC0'\n\tlist list0 '\"Hello\n, world\"'\n\n");
});

test('add prints the generated name and stages "+config.name=\'type\'"', async (t) => {
  const e = env(t);
  writeFileSync(join(e.conf, 'add'), '');
  const r = await e.uci(['add', 'add', 'type']);
  assert.equal(r.out, 'cfg01bd07\n');
  assert.equal(readFileSync(join(e.save, 'add'), 'utf8'), "+add.cfg01bd07='type'\n");
  assert.equal((await e.uci(['changes', 'add'])).out, "add.cfg01bd07='type'\n");
});

test('-P stages in another dir and never commits; -p replays extra deltas first (090_cli_options)', async (t) => {
  const e = env(t);
  const other = join(e.root, 'new_savedir');
  mkdirSync(other);
  writeFileSync(join(e.conf, 'delta'), '');
  await e.uci(['set', 'delta.sec0=sectype']);
  await e.uci(['add_list', 'delta.sec0.li0=0']);
  await e.uci(['-P', other, 'set', 'delta.sec0=tmptype']);
  await e.uci(['-P', other, 'add_list', 'delta.sec0.li0=1']);
  await e.uci(['-P', other, 'set', 'delta.sec0=sectype']);
  assert.equal((await e.uci(['changes'])).out, "delta.sec0='sectype'\ndelta.sec0.li0+='0'\n");
  assert.equal(
    (await e.uci(['-P', other, 'changes'])).out,
    "delta.sec0='sectype'\ndelta.sec0.li0+='0'\ndelta.sec0='tmptype'\ndelta.sec0.li0+='1'\ndelta.sec0='sectype'\n",
  );
  assert.equal((await e.uci(['-P', other, 'export'])).out, "package delta\n\nconfig sectype 'sec0'\n\tlist li0 '0'\n\tlist li0 '1'\n\n");
  assert.equal((await e.uci(['-P', other, 'commit'])).code, 0);
  assert.equal(readFileSync(join(e.conf, 'delta'), 'utf8'), '');
  assert.equal((await e.uci(['-p', other, 'commit'])).code, 0);
  assert.equal(readFileSync(join(e.conf, 'delta'), 'utf8'), "\nconfig sectype 'sec0'\n\tlist li0 '1'\n\tlist li0 '0'\n\n");
});

test('rename, reorder, delete and revert through the CLI', async (t) => {
  const e = env(t);
  writeFileSync(join(e.conf, 'p'), "config t 'a'\n\toption x 1\nconfig t 'b'\nconfig u\n");
  assert.equal((await e.uci(['rename', 'p.a.x=y'])).code, 0);
  assert.equal((await e.uci(['rename', 'p.@u[0]=named'])).code, 0);
  assert.equal((await e.uci(['reorder', 'p.b=0'])).code, 0);
  assert.equal((await e.uci(['delete', 'p.a'])).code, 1 - 1);
  assert.equal((await e.uci(['changes', 'p'])).out, "p.a.x='y'\np.cfg03b61a='named'\np.b='0'\n-p.a\n");
  assert.equal((await e.uci(['export', 'p'])).out, "package p\n\nconfig t 'b'\n\nconfig u 'named'\n\n");
  assert.equal((await e.uci(['revert', 'p.a'])).code, 0);
  assert.equal((await e.uci(['changes', 'p'])).out, "p.cfg03b61a='named'\np.b='0'\n");
  assert.equal((await e.uci(['revert', 'p'])).code, 0);
  assert.equal((await e.uci(['changes', 'p'])).out, '');
});
