/**
 * mwand and a broker that goes away: the loss and the return are logged; a broker that will not
 * take back object `mwan` after the reconnect makes mwand exit 1 (procd respawns it). Runs the
 * real mwand with the recording dataplane (no kernel changes) against an in-process broker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, startBroker } from 'ubus-ts';

const MWAND = fileURLToPath(new URL('../../bin/mwand.js', import.meta.url));

async function until(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('mwand logs a lost and a restored bus, and exits 1 when its object cannot be restored', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mwand-bus-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'mwan'), "config interface 'wan'\n\toption enabled '1'\n\toption family 'ipv4'\n");
  const socketPath = join(dir, 'ubus.sock');
  let broker = await startBroker({ socketPath, credentials: 'broker' });
  t.after(() => broker.close());

  const child = spawn(process.execPath, [MWAND, '-s', socketPath, '-c', join(dir, 'config'), '--dataplane', 'recording', '--hook', join(dir, 'none'), '--hook-fallback', join(dir, 'none')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exit: number | null | undefined;
  child.on('exit', (code) => (exit = code));
  t.after(() => {
    if (exit === undefined) child.kill('SIGKILL');
  });
  const hasMwan = async (): Promise<boolean> => {
    const c = await connect({ socketPath, reconnect: false });
    try {
      return (await c.lookup('mwan')).length === 1;
    } catch {
      return false;
    } finally {
      await c.close();
    }
  };
  await until(() => stderr.includes('mwand: running'), 10_000, () => stderr);
  assert.ok(await hasMwan());

  await broker.close();
  await until(() => stderr.includes(`mwand: lost the ubus connection at ${socketPath}`), 5000, () => stderr);
  broker = await startBroker({ socketPath, credentials: 'broker' });
  await until(() => stderr.includes(`mwand: ubus connection back at ${socketPath}`), 10_000, () => stderr);
  // the object is back
  let back = false;
  for (let i = 0; i < 40 && !back; i++) {
    back = await hasMwan();
    if (!back) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(back, 'object mwan restored');
  assert.equal(exit, undefined, 'still running');

  // someone takes `mwan` before mwand is back: mwand gives up with exit 1
  await broker.close();
  await until(() => stderr.split('lost the ubus connection').length === 3, 5000, () => stderr);
  broker = await startBroker({ socketPath, credentials: 'broker' });
  const intruder = await connect({ socketPath, reconnect: false });
  t.after(() => intruder.close());
  await intruder.addObject('mwan', { status: { handler: () => ({}) } });
  await until(() => exit !== undefined, 10_000, () => stderr);
  assert.equal(exit, 1, stderr);
  assert.match(stderr, /mwand: after reconnecting, the broker refused object 'mwan'/);
  assert.match(stderr, /mwand: exiting: without object 'mwan' mwand cannot be reached \(procd restarts it\)/);
});
