import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../src/args.js';
import { MwandErrorCode } from '../src/errors.js';

test('mwand flags: defaults, every path a flag, argv for the tracker', () => {
  const d = parseArgs([]);
  assert.deepEqual([d.socket, d.configDir, d.hook, d.hookFallback, d.hookTimeoutMs, d.trackCommand, d.dataplane, d.teardownOnExit], [
    '/var/run/ubus/ubus.sock', '/etc/config', '/etc/mwan.user', '/etc/mwan3.user', 10_000, ['mwan-track'], 'kernel', false,
  ]);
  const a = parseArgs(['-s', '/tmp/u.sock', '-c', '/tmp/cfg', '--hook', '/tmp/h', '--hook-timeout', '2.5', '--track-command', '/usr/bin/node', '--track-command', '/x/mwan-track.js', '--netns', 'r1', '--dataplane', 'recording', '--coalesce', '0', '--teardown-on-exit']);
  assert.deepEqual([a.socket, a.configDir, a.hook, a.hookTimeoutMs, a.trackCommand, a.netns, a.dataplane, a.coalesceMs, a.teardownOnExit], [
    '/tmp/u.sock', '/tmp/cfg', '/tmp/h', 2500, ['/usr/bin/node', '/x/mwan-track.js'], 'r1', 'recording', 0, true,
  ]);
});

test('mwand flags: mistakes are usage errors naming the flag', () => {
  const bad: [string[], RegExp][] = [
    [['-s'], /-s needs a value/],
    [['--hook-timeout', '0'], /--hook-timeout: "0"/],
    [['--dataplane', 'fake'], /--dataplane: "fake"/],
    [['--coalesce', '-1'], /--coalesce/],
    [['--bogus'], /unknown argument "--bogus"/],
  ];
  for (const [argv, msg] of bad) {
    assert.throws(() => parseArgs(argv), (e: { code: string; message: string }) => e.code === MwandErrorCode.USAGE && msg.test(e.message), argv.join(' '));
  }
});

test('mwand one-shot modes: --check and --teardown-now (the init script without a bus)', () => {
  assert.equal(parseArgs([]).mode, 'run');
  assert.equal(parseArgs(['--check', '-c', '/tmp/cfg']).mode, 'check');
  const t = parseArgs(['--teardown-now', '-c', '/tmp/cfg', '--netns', 'r1']);
  assert.deepEqual([t.mode, t.configDir, t.netns], ['teardown', '/tmp/cfg', 'r1']);
  assert.throws(() => parseArgs(['--check', '--teardown-now']), (e: { code: string }) => e.code === MwandErrorCode.USAGE);
});

test('--teardown-now with a config that does not validate: tables from its interface sections, its mask when usable', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { roughLayout } = await import('../src/oneshot.js');
  const dir = mkdtempSync(join(tmpdir(), 'mwand-rough-'));
  try {
    const f = join(dir, 'mwan');
    writeFileSync(f, "config globals 'globals'\n\toption mmx_mask '0xF00'\n\nconfig interface 'wan'\n\nconfig member 'm'\n\toption interface 'nope'\n\nconfig interface 'wanb'\n\toption bogus\n");
    assert.deepEqual(roughLayout(f), { mask: 0xf00, tables: [1, 2] });
    writeFileSync(f, "config globals 'globals'\n\toption mmx_mask '0x3'\n");
    assert.deepEqual(roughLayout(f), { mask: 0x3f00, tables: [] }, 'a 2-bit mask was never usable: the default');
    assert.deepEqual(roughLayout(join(dir, 'missing')), { mask: 0x3f00, tables: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
