/**
 * The documented shell session: ubusd-ts and procd-ts as programs, driven with the ubus-ts CLI
 * exactly as a user would (`ubus-ts -s SOCK call service set '{...}'`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupMembers, pidAlive, waitFor } from './helpers/bus.js';

const PROCD = fileURLToPath(new URL('../../bin/procd-ts.js', import.meta.url));
const UBUSD = fileURLToPath(new URL('../../../ubus-ts/bin/ubusd-ts.js', import.meta.url));
const UBUS = fileURLToPath(new URL('../../../ubus-ts/bin/ubus-ts.js', import.meta.url));

function daemon(t: { after(fn: () => unknown): void }, argv: string[]): ChildProcess {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  child.on('exit', (code) => {
    if (code && code !== 0) process.stderr.write(`${argv[0]} exited ${code}: ${err}\n`);
  });
  return child;
}

function ubus(sock: string, ...args: string[]): { code: number; out: unknown } {
  const r = spawnSync(process.execPath, [UBUS, '-s', sock, ...args], { encoding: 'utf8', timeout: 10_000 });
  const text = r.stdout.trim();
  let out: unknown = text;
  try {
    out = text ? JSON.parse(text) : undefined;
  } catch {
    // `list` prints object names, not JSON
  }
  return { code: r.status ?? 1, out };
}

type List = Record<string, { instances?: Record<string, { running: boolean; pid?: number; crashed?: boolean }> }>;

test('procd-ts + ubus-ts CLI: set starts, list shows the pid, kill respawns, delete stops', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'procd-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sock = join(dir, 'ubus.sock');
  daemon(t, [UBUSD, '-s', sock]);
  await waitFor(() => existsSync(sock));
  const procd = daemon(t, [PROCD, '-s', sock]);
  await waitFor(() => ubus(sock, 'list', 'service').code === 0, 10_000, 100);

  const set = ubus(sock, 'call', 'service', 'set', '{"name":"demo","instances":{"a":{"command":["/bin/sleep","100"],"respawn":["3600","1","5"]}}}');
  assert.equal(set.code, 0);
  const a1 = (ubus(sock, 'call', 'service', 'list').out as List).demo!.instances!.a!;
  assert.equal(a1.running, true);
  assert.ok(a1.pid && pidAlive(a1.pid));

  process.kill(a1.pid!, 'SIGKILL');
  const a2 = await waitFor(() => {
    const a = (ubus(sock, 'call', 'service', 'list', '{"name":"demo"}').out as List).demo!.instances!.a!;
    return a.running && a.pid !== a1.pid ? a : undefined;
  }, 5000, 100);
  assert.ok(pidAlive(a2.pid!));

  assert.equal(ubus(sock, 'call', 'service', 'delete', '{"name":"demo"}').code, 0);
  await waitFor(() => groupMembers(a2.pid!).length === 0, 5000);
  assert.deepEqual(ubus(sock, 'call', 'service', 'list').out, {});

  // SIGTERM to procd-ts stops its instances before it exits
  ubus(sock, 'call', 'service', 'set', '{"name":"x","instances":{"b":{"command":["/bin/sleep","100"]}}}');
  const b = (ubus(sock, 'call', 'service', 'list').out as List).x!.instances!.b!;
  procd.kill('SIGTERM');
  await new Promise((r) => procd.once('exit', r));
  assert.equal(procd.exitCode, 0);
  await waitFor(() => !pidAlive(b.pid!), 3000);
});
