/**
 * procd-ts and its bus: a refusal at start names what was refused and the ACL it needs
 * (docs/procd.md); losing and regaining the broker is logged; a broker that will not take back
 * object `service` after a reconnect makes procd-ts give up (exit 1 in main).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, startBroker } from 'ubus-ts';
import { startProcd } from '../src/supervisor/daemon.js';
import { waitFor } from './helpers/bus.js';

const PROCD_TS = fileURLToPath(new URL('../../bin/procd-ts.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

function tmp(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'procd-bus-'));
  chmodSync(dir, 0o755);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** procd-ts as uid/gid 65534 (nobody), bounded by a timeout (async: the broker is in this process). */
function procdAsNobody(socketPath: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, PROCD_TS, '-s', socketPath], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
    let stderr = '';
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code, stderr }));
  });
}

test('procd-ts as a user without an ACL grant names what ubusd refused and the ACL it needs', { skip: !isRoot && 'needs root (runs procd-ts as nobody)', timeout: 20_000 }, async (t) => {
  const dir = tmp(t);
  const acl = join(dir, 'acl');
  mkdirSync(acl);
  const socketPath = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath, aclDir: acl });
  t.after(() => broker.close());

  const none = await procdAsNobody(socketPath);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `procd-ts: cannot listen for 'ubus.object.add' events on ${socketPath}: Permission denied — ubusd needs an ACL grant for uid 65534 (see docs/procd.md, "Running procd-ts as a user")\n`);

  // listening granted, publishing not
  writeFileSync(join(acl, 'procd.json'), JSON.stringify({ user: 'nobody', listen: ['ubus.object.add'] }));
  broker.reloadAcl();
  const pub = await procdAsNobody(socketPath);
  assert.equal(pub.code, 1, pub.stderr);
  assert.match(pub.stderr, new RegExp(`^procd-ts: cannot publish object 'service' on ${socketPath.replace(/[.]/g, '\\.')}: Invalid argument — ubusd needs an ACL grant for uid 65534 \\(see docs/procd.md`));
});

test('procd-ts logs the loss and return of the broker; a broker that refuses `service` back ends it', { timeout: 20_000 }, async (t) => {
  const dir = tmp(t);
  const socketPath = join(dir, 'ubus.sock');
  let broker = await startBroker({ socketPath, credentials: 'broker' });
  t.after(() => broker.close());
  const logs: string[] = [];
  const lost: Error[] = [];
  const procd = await startProcd({ socketPath, echoOutput: false, log: (m) => logs.push(m), onServiceLost: (e) => lost.push(e) });
  t.after(() => procd.stop());

  // the broker restarts: lost, back, `service` published again
  await broker.close();
  await waitFor(() => logs.some((l) => l.startsWith(`lost the ubus connection at ${socketPath}`)));
  broker = await startBroker({ socketPath, credentials: 'broker' });
  await waitFor(() => logs.includes(`ubus connection back at ${socketPath}; object 'service' published again`), 10_000);
  const c = await connect({ socketPath, reconnect: false });
  t.after(() => c.close());
  assert.ok((await c.lookup('service')).length === 1);
  await c.close();
  assert.equal(lost.length, 0);

  // again, but someone else takes `service` before procd-ts is back
  await broker.close();
  await waitFor(() => logs.filter((l) => l.startsWith('lost the ubus connection')).length === 2);
  broker = await startBroker({ socketPath, credentials: 'broker' });
  const intruder = await connect({ socketPath, reconnect: false });
  t.after(() => intruder.close());
  await intruder.addObject('service', { list: { handler: () => ({}) } });
  await waitFor(() => lost.length === 1, 10_000);
  assert.ok(logs.some((l) => l.startsWith("after reconnecting, the broker refused object 'service'")), logs.join('\n'));
});
