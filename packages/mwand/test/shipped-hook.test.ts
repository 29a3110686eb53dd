import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const shipped = fileURLToPath(new URL('../../../../init/mwan.user', import.meta.url));

/** The shipped /etc/mwan.user, with its /etc/mwan3.user path pointed into a temp dir. */
function hookIn(dir: string): string {
  const p = join(dir, 'mwan.user');
  writeFileSync(p, readFileSync(shipped, 'utf8').replaceAll('/etc/mwan3.user', join(dir, 'mwan3.user')));
  return p;
}

test('the shipped /etc/mwan.user runs an existing /etc/mwan3.user unchanged, with the same environment', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-hook-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mwan3.user'), `echo "$ACTION $INTERFACE $DEVICE" > ${join(dir, 'out')}\n`);
  const r = spawnSync('/bin/sh', [hookIn(dir)], { env: { ACTION: 'disconnected', INTERFACE: 'wanb', DEVICE: 'eth2' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'disconnected wanb eth2\n');
});

test('without an mwan3.user the shipped hook does nothing and succeeds', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwan-hook-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync('/bin/sh', [hookIn(dir)], { env: { ACTION: 'ifup', INTERFACE: 'wan', DEVICE: 'eth1' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(join(dir, 'out')), false);
});
