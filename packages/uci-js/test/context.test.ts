import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  UciContext,
  addList,
  formatDelta,
  parseDeltaText,
  parsePtr,
  resolvePtr,
  setValue,
  deleteEntry,
  type LoadedPackage,
} from '../src/index.js';

function set(lp: LoadedPackage, tuple: string): void {
  setValue(resolvePtr(lp.package, parsePtr(tuple)), lp.delta);
}

test('delta lines are written exactly as delta.c writes them and read back', () => {
  const lines = [
    formatDelta('net', { cmd: 'change', section: 'lan', option: 'ipaddr', value: "it's" }),
    formatDelta('net', { cmd: 'add', section: 'cfg01abcd', option: null, value: 'device' }),
    formatDelta('net', { cmd: 'remove', section: 'lan', option: 'dns', value: null }),
    formatDelta('net', { cmd: 'remove', section: 'lan', option: 'dns', value: '1' }),
    formatDelta('net', { cmd: 'rename', section: 'lan', option: null, value: 'lan2' }),
    formatDelta('net', { cmd: 'reorder', section: 'lan', option: null, value: '0' }),
    formatDelta('net', { cmd: 'list_add', section: 'lan', option: 'dns', value: 'a\nb' }),
    formatDelta('net', { cmd: 'list_del', section: 'lan', option: 'dns', value: 'x' }),
  ];
  assert.deepEqual(lines, [
    "net.lan.ipaddr='it'\\''s'\n",
    "+net.cfg01abcd='device'\n",
    '-net.lan.dns\n',
    "-net.lan.dns='1'\n",
    "@net.lan='lan2'\n",
    "^net.lan='0'\n",
    "|net.lan.dns='a\nb'\n",
    "~net.lan.dns='x'\n",
  ]);
  const back = parseDeltaText(lines.join(''));
  assert.deepEqual(
    back.map((d) => [d.cmd, d.section, d.option, d.value]),
    [
      ['change', 'lan', 'ipaddr', "it's"],
      ['add', 'cfg01abcd', null, 'device'],
      ['remove', 'lan', 'dns', null],
      ['remove', 'lan', 'dns', '1'],
      ['rename', 'lan', null, 'lan2'],
      ['reorder', 'lan', null, '0'],
      ['list_add', 'lan', 'dns', 'a\nb'],
      ['list_del', 'lan', 'dns', 'x'],
    ],
  );
});

test('malformed delta lines are skipped, the rest is kept (libuci test_changes_tailing_parts)', () => {
  for (const c of ['+', '', '@', '^', '|', '~']) {
    const text = `${c}network.foo bar\n${c}network.foo bar=baz\n${c}network.foo.bar baz\n${c}network.foo\n${c}network.foo.bar\n`;
    const parsed = parseDeltaText(text);
    // only the '-' (remove) forms without a value are valid; none of these has the '-' prefix
    assert.deepEqual(parsed, [], `prefix '${c}'`);
  }
  assert.equal(parseDeltaText("-network.foo\nnetwork.a.b='c'\n").length, 2);
});

test('set → save stages a delta; commit writes the uci export format and empties the delta', (t) => {
  const { conf, save, ctx } = setup(t);
  writeFileSync(join(conf, 'net'), "# hand written\nconfig interface 'lan'\n\toption proto static\n");
  const lp = ctx.load('net');
  set(lp, "net.lan.ipaddr=192.168.1.1");
  set(lp, 'net.wan=interface');
  ctx.save(lp);
  assert.equal(readFileSync(join(save, 'net'), 'utf8'), "net.lan.ipaddr='192.168.1.1'\nnet.wan='interface'\n");
  // the config file is untouched until commit
  assert.match(readFileSync(join(conf, 'net'), 'utf8'), /# hand written/);
  const again = ctx.load('net');
  assert.deepEqual(again.savedDelta.length, 2);
  assert.equal(ctx.commit(again), true);
  assert.equal(readFileSync(join(conf, 'net'), 'utf8'), "\nconfig interface 'lan'\n\toption proto 'static'\n\toption ipaddr '192.168.1.1'\n\nconfig interface 'wan'\n\n");
  assert.equal(readFileSync(join(save, 'net'), 'utf8'), '');
  assert.deepEqual(readdirSync(conf).sort(), ['net'], 'no temp or lock file is left behind');
});

test('a file without staged changes is never rewritten by commit', (t) => {
  const { conf, ctx } = setup(t);
  const text = "config t 's'  # odd spacing kept\n\toption a \"v\"\n";
  writeFileSync(join(conf, 'keep'), text);
  const before = statSync(join(conf, 'keep')).mtimeMs;
  assert.equal(ctx.commit(ctx.load('keep')), false);
  assert.equal(readFileSync(join(conf, 'keep'), 'utf8'), text);
  assert.equal(statSync(join(conf, 'keep')).mtimeMs, before);
});

test("commit keeps another writer's committed change (re-read under lock, replay our delta)", (t) => {
  const { conf, root } = setup(t);
  writeFileSync(join(conf, 'net'), "config interface 'lan'\n\toption proto 'static'\n");
  // writer A stages a change in its own save dir
  const a = new UciContext({ confdir: conf, savedir: join(root, 'save-a') });
  const lpA = a.load('net');
  set(lpA, 'net.lan.mtu=1400');
  a.save(lpA);
  // writer B commits a different change meanwhile
  const b = new UciContext({ confdir: conf, savedir: join(root, 'save-b') });
  const lpB = b.load('net');
  set(lpB, 'net.lan.proto=dhcp');
  b.commit(lpB);
  // A commits with its stale in-memory copy: B's change must survive
  a.commit(lpA);
  const out = readFileSync(join(conf, 'net'), 'utf8');
  assert.equal(out, "\nconfig interface 'lan'\n\toption proto 'dhcp'\n\toption mtu '1400'\n\n");
});

test('commit keeps the file mode and replaces the file atomically (new inode)', (t) => {
  const { conf, ctx } = setup(t);
  const f = join(conf, 'm');
  writeFileSync(f, "config t 's'\n");
  chmodSync(f, 0o600);
  const ino = statSync(f).ino;
  const lp = ctx.load('m');
  set(lp, 'm.s.a=1');
  ctx.commit(lp);
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.notEqual(statSync(f).ino, ino);
});

test('revert drops staged changes of one option, one section, or the package', (t) => {
  const { conf, save, ctx } = setup(t);
  writeFileSync(join(conf, 'r'), '');
  const lp = ctx.load('r');
  set(lp, 'r.A=sec');
  set(lp, 'r.A.x=1');
  set(lp, 'r.A.y=2');
  set(lp, 'r.B=sec');
  ctx.save(lp);
  ctx.revert('r', 'A', 'x');
  assert.equal(readFileSync(join(save, 'r'), 'utf8'), "r.A='sec'\nr.A.y='2'\nr.B='sec'\n");
  ctx.revert('r', 'A');
  assert.equal(readFileSync(join(save, 'r'), 'utf8'), "r.B='sec'\n");
  const after = ctx.revert('r');
  assert.equal(readFileSync(join(save, 'r'), 'utf8'), '');
  assert.equal(after.package.sections.length, 0);
});

test('list add/delete and index delete replay through the delta file', (t) => {
  const { conf, ctx } = setup(t);
  writeFileSync(join(conf, 'l'), "config t 's'\n\tlist d a\n\tlist d b\n\tlist d a\n");
  const lp = ctx.load('l');
  addList(resolvePtr(lp.package, parsePtr('l.s.d=c')), lp.delta);
  deleteEntry(resolvePtr(lp.package, parsePtr('l.s.d=0')), lp.delta);
  ctx.save(lp);
  const again = ctx.load('l');
  const o = again.package.sections[0]?.options[0];
  assert.ok(o && o.type === 'list');
  assert.deepEqual(o.values, ['b', 'a', 'c']);
  ctx.commit(again);
  assert.equal(readFileSync(join(conf, 'l'), 'utf8'), "\nconfig t 's'\n\tlist d 'b'\n\tlist d 'a'\n\tlist d 'c'\n\n");
});

test('a stale lock of a dead process is taken over; a live one times out with ERR_UCI_LOCKED', (t) => {
  const { conf } = setup(t);
  writeFileSync(join(conf, 'k'), "config t 's'\n");
  const ctx = new UciContext({ confdir: conf, savedir: join(conf, '..', 'save'), lockTimeoutMs: 50 });
  writeFileSync(join(conf, '.k.uci-lock'), '999999999');
  const lp = ctx.load('k');
  set(lp, 'k.s.a=1');
  ctx.commit(lp);
  assert.match(readFileSync(join(conf, 'k'), 'utf8'), /option a '1'/);
  writeFileSync(join(conf, '.k.uci-lock'), String(process.pid));
  const lp2 = ctx.load('k');
  set(lp2, 'k.s.a=2');
  assert.throws(() => ctx.commit(lp2), { code: 'ERR_UCI_LOCKED' });
  rmSync(join(conf, '.k.uci-lock'));
});

function setup(t: { after: (fn: () => void) => void }): { root: string; conf: string; save: string; ctx: UciContext } {
  const root = mkdtempSync(join(tmpdir(), 'uci-js-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const conf = mkdtempSync(join(root, 'config-'));
  const save = join(root, 'save');
  return { root, conf, save, ctx: new UciContext({ confdir: conf, savedir: save }) };
}

