/** The ubusd-ts program: flags, socket lifecycle, signals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestPeer } from './broker-peer.js';

const MAIN = fileURLToPath(new URL('../src/ubusd-main.js', import.meta.url));

/** Connects once the program listens (the file appears at bind, a moment before listen). */
async function connectWhenUp(sock: string): Promise<TestPeer> {
  for (let i = 0; ; i++) {
    try {
      return await TestPeer.connect(sock);
    } catch (err) {
      if (i >= 100) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

test('ubusd-ts -s SOCK -A DIR: replaces a stale socket file, serves, removes the socket on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ubusd-main-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sock = join(dir, 'run', 'ubus.sock');
  const child = spawn(process.execPath, [MAIN, '-s', sock, '-A', join(dir, 'acl.d')], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  const p = await connectWhenUp(sock);
  assert.ok(statSync(sock).isSocket());
  assert.ok(p.id >= 1024);
  p.close();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(existsSync(sock), false);

  // a stale regular file where the socket goes is replaced, as ubusd unlinks it
  writeFileSync(sock, 'stale');
  const again = spawn(process.execPath, [MAIN, `-s${sock}`], { stdio: 'ignore' });
  t.after(() => again.kill('SIGKILL'));
  const q = await connectWhenUp(sock);
  assert.ok(statSync(sock).isSocket());
  q.close();
  again.kill('SIGTERM');
});

test('ubusd-ts with an unknown flag or a missing argument prints usage and exits 1', () => {
  for (const args of [['-x'], ['-s']]) {
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Usage: ubusd-ts/);
  }
});
