import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { canUseNetns, run, waitUntil } from 'netns-kit';

const labBin = fileURLToPath(new URL('../../bin/mwan-lab.js', import.meta.url));

function userNamespacesWork(): boolean {
  return spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'unshare', '-Urn', 'true']).status === 0;
}

test('the lab runs unprivileged inside a user namespace (--script --short as nobody)', { skip: (!canUseNetns() && 'needs root to drop to nobody') || (!userNamespacesWork() && 'this kernel does not allow unprivileged user namespaces') }, async () => {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, labBin, '--script', '--short'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /(\d+) expectations met, 0 failed/);
  assert.match(r.stdout, /fault → traffic moved\s+[\d.]+ s\s+ok/);
  // its namespaces lived in its own mount namespace; what could outlive it is a process
  // (a zombie may linger for a moment until its parent reaps it)
  const left = () => run(['pgrep', '-u', '65534', '-a'], { allowFail: true }).stdout.trim();
  await waitUntil(() => left() === '', 5000).catch(() => assert.fail(`processes left behind: ${left()}`));
});
