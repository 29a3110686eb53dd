import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from 'netns-kit';
import { HookRunner, type HookResult } from '../src/hooks.js';
import { FakeClock, realClock } from '../src/core/clock.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mwand-hooks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function script(path: string, body: string, exec = true): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, exec ? 0o755 : 0o644);
}

test('hooks run in order, one at a time, with exactly ACTION/INTERFACE/DEVICE (+PATH)', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out');
  // each run takes a lock file; overlapping runs would find it present
  script(join(dir, 'mwan.user'), `[ -e "${dir}/lock" ] && echo OVERLAP >> "${out}"\n: > "${dir}/lock"\necho "$ACTION $INTERFACE $DEVICE|$(env | grep -v '^PWD=' | grep -v '^SHLVL=' | grep -v '^_=' | sort | tr '\\n' ' ')" >> "${out}"\nrm "${dir}/lock"`);
  const results: HookResult[] = [];
  const h = new HookRunner({ path: join(dir, 'mwan.user'), fallback: join(dir, 'mwan3.user'), clock: realClock, onResult: (r) => results.push(r) });
  h.enqueue([
    { interface: 'wan', action: 'ifup', device: 'eth1' },
    { interface: 'wan', action: 'connected', device: 'eth1' },
    { interface: 'wanb', action: 'ifdown', device: '' },
  ]);
  await h.idle();
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split('|')[0]), ['ifup wan eth1', 'connected wan eth1', 'ifdown wanb ']);
  assert.equal(lines[0]!.split('|')[1]!.trim(), 'ACTION=ifup DEVICE=eth1 INTERFACE=wan PATH=/usr/sbin:/usr/bin:/sbin:/bin');
  assert.deepEqual(results.map((r) => r.result), ['ok', 'ok', 'ok']);
});

test('falls back to mwan3.user when mwan.user does not exist; neither: nothing runs', async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'out');
  const results: HookResult[] = [];
  const h = new HookRunner({ path: join(dir, 'mwan.user'), fallback: join(dir, 'mwan3.user'), clock: realClock, onResult: (r) => results.push(r) });
  h.enqueue([{ interface: 'wan', action: 'ifup', device: 'eth1' }]);
  await h.idle();
  assert.equal(results.length, 0);
  // not executable: run through sh, as mwan3 chmod-ed it and ran it anyway
  script(join(dir, 'mwan3.user'), `echo "mwan3 $ACTION" >> "${out}"`, false);
  h.enqueue([{ interface: 'wan', action: 'ifup', device: 'eth1' }]);
  await h.idle();
  script(join(dir, 'mwan.user'), `echo "mwan $ACTION" >> "${out}"`);
  h.enqueue([{ interface: 'wan', action: 'ifdown', device: '' }]);
  await h.idle();
  assert.equal(readFileSync(out, 'utf8'), 'mwan3 ifup\nmwan ifdown\n');
  assert.equal(results[0]!.path, join(dir, 'mwan3.user'));
});

test('a failing hook is reported with its exit code and stderr, the next still runs', async (t) => {
  const dir = tempDir(t);
  script(join(dir, 'mwan.user'), `[ "$ACTION" = ifup ] && { echo "no luck" >&2; exit 3; }\nexit 0`);
  const results: HookResult[] = [];
  const logs: string[] = [];
  const h = new HookRunner({ path: join(dir, 'mwan.user'), clock: realClock, onResult: (r) => results.push(r), log: (m) => logs.push(m) });
  h.enqueue([{ interface: 'wan', action: 'ifup', device: 'eth1' }, { interface: 'wan', action: 'connected', device: 'eth1' }]);
  await h.idle();
  assert.deepEqual(results.map((r) => [r.result, r.code]), [['failed', 3], ['ok', 0]]);
  assert.equal(results[0]!.stderr, 'no luck');
  assert.equal(logs.length, 1);
});

test('a hung hook is killed with its whole process group at the timeout (fake clock)', async (t) => {
  const dir = tempDir(t);
  const pids = join(dir, 'pids');
  // a background grandchild in the same group, then the hook itself hangs
  script(join(dir, 'mwan.user'), `sleep 300 &\necho "$$ $!" > "${pids}.tmp"; mv "${pids}.tmp" "${pids}"\nwait`);
  const clock = new FakeClock();
  const results: HookResult[] = [];
  const h = new HookRunner({ path: join(dir, 'mwan.user'), clock, timeoutMs: 5000, onResult: (r) => results.push(r) });
  t.after(() => h.stop());
  h.enqueue([{ interface: 'wan', action: 'disconnected', device: 'eth1' }, { interface: 'wan', action: 'ifdown', device: '' }]);
  await waitUntil(() => existsSync(pids), 5000, 10);
  const [shell, grandchild] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
  clock.advance(4999);
  assert.equal(results.length, 0, 'still within its time');
  clock.advance(1);
  await waitUntil(() => results.length >= 1, 5000, 10);
  assert.equal(results[0]!.result, 'timeout');
  assert.equal(results[0]!.action, 'disconnected');
  assert.equal(results[0]!.signal, 'SIGKILL');
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };
  await waitUntil(() => !alive(grandchild!) && !alive(shell!), 5000, 10);
  // the queue goes on with the next hook (which hangs too, then is killed by stop())
  await waitUntil(() => readFileSync(pids, 'utf8').trim().split(' ')[0] !== String(shell), 5000, 10);
});

test('a hook that backgrounds a job and exits in time: the job lives on (mwan3 wiki\'s "sleep, then mail" example)', async (t) => {
  const dir = tempDir(t);
  const done = join(dir, 'done');
  // as the wiki's example 2, shortened: (sleep 180; mailsend ...) &
  script(join(dir, 'mwan.user'), `(sleep 0.5; echo "$ACTION $INTERFACE" > "${done}") >/dev/null 2>&1 &\nexit 0`);
  const results: HookResult[] = [];
  const h = new HookRunner({ path: join(dir, 'mwan.user'), clock: realClock, timeoutMs: 200, onResult: (r) => results.push(r) });
  t.after(() => h.stop());
  h.enqueue([{ interface: 'wan', action: 'disconnected', device: 'eth1' }]);
  await h.idle();
  assert.deepEqual(results.map((r) => r.result), ['ok'], 'the hook itself ended in time');
  assert.equal(existsSync(done), false, 'its job is still sleeping');
  // past the hook's timeout: nothing kills a job whose hook already ended
  await waitUntil(() => existsSync(done), 5000, 20);
  assert.equal(readFileSync(done, 'utf8'), 'disconnected wan\n');
});
