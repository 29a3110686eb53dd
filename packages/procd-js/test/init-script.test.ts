/**
 * init/mwan through init/rc-runner against procd-ts on a private bus: what `/etc/init.d/mwan
 * start|reload|stop` does on a router, with fake mwand/mwan-rtmon commands (MWAND_BIN,
 * MWAN_RTMON_BIN) so the test depends only on the script and the supervisor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupMembers, startBusRig, waitFor, type BusRig } from './helpers/bus.js';

const INIT = fileURLToPath(new URL('../../../../init/', import.meta.url));

/** Runs the init script (asynchronously: the broker and procd-ts live in this process). */
function rc(rig: BusRig, env: Record<string, string | undefined>, action: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', [join(INIT, 'rc-runner'), join(INIT, 'mwan'), action], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE: process.execPath, UBUS_SOCKET: rig.socketPath, ...env },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

function setup(rig: BusRig, configDir: string): Record<string, string> {
  const fake = join(rig.dir, 'fake-daemon');
  // a daemon that also answers mwand's one-shot modes, which init/mwan runs itself
  // (`--check` before restart/reload-start, `--teardown-now` on stop without a running mwand)
  writeFileSync(fake, '#!/bin/sh\ncase "$1" in --check|--teardown-now) exit 0 ;; esac\nexec sleep 1000\n');
  chmodSync(fake, 0o755);
  return {
    MWAN_UBUS_SOCKET: rig.socketPath,
    MWAN_CONFIG_DIR: configDir,
    MWAND_BIN: fake,
    MWAN_RTMON_BIN: fake,
    RC_RUNNER_PASSENV: 'MWAN_UBUS_SOCKET MWAN_CONFIG_DIR MWAND_BIN MWAN_RTMON_BIN',
  };
}

test('init/mwan start registers mwand and rtmon with procd, start again keeps them, stop removes them', async (t) => {
  const rig = await startBusRig(t);
  // a config dir with a space and a quote: the shim must pass it as one exact argument
  const configDir = join(rig.dir, 'etc "config" dir');
  const env = setup(rig, configDir);
  assert.equal((await rc(rig, env, 'start')).code, 0);
  const svc = (await rig.client.list({ name: 'mwan', verbose: true })).mwan!;
  const { mwand, rtmon } = svc.instances!;
  assert.deepEqual(mwand!.command, [env.MWAND_BIN, '-s', rig.socketPath, '-c', configDir]);
  assert.deepEqual(rtmon!.command, [env.MWAN_RTMON_BIN, '-s', rig.socketPath, '-c', configDir]);
  assert.equal(mwand!.running, true);
  assert.equal(rtmon!.running, true);
  assert.equal(mwand!.term_timeout, 10);
  assert.deepEqual(mwand!.respawn, { threshold: 3600, timeout: 5, retry: 5 });
  const trigger = svc.triggers![0] as unknown[];
  assert.equal(trigger[0], 'config.change');
  assert.deepEqual((trigger[1] as unknown[]).slice(0, 2), ['if', ['eq', 'package', 'mwan']]);
  assert.equal(trigger[2], 1000);

  assert.equal((await rc(rig, env, 'running')).code, 0);
  assert.equal((await rc(rig, env, 'start')).code, 0);
  const again = (await rig.client.list({ name: 'mwan' })).mwan!.instances!;
  assert.equal(again.mwand!.pid, mwand!.pid, 'unchanged instance keeps running');
  assert.equal(again.rtmon!.pid, rtmon!.pid);

  assert.equal((await rc(rig, env, 'stop')).code, 0);
  await waitFor(async () => Object.keys(await rig.client.list()).length === 0);
  await waitFor(() => groupMembers(mwand!.pid!).length === 0 && groupMembers(rtmon!.pid!).length === 0);
  assert.notEqual((await rc(rig, env, 'running')).code, 0);
});

test('init/mwan reload calls mwan.reload; a config.change event reaches it through the procd trigger; without mwand it starts', async (t) => {
  const rig = await startBusRig(t);
  const env = setup(rig, join(rig.dir, 'etc'));
  assert.equal((await rc(rig, env, 'start')).code, 0);
  const before = (await rig.client.list({ name: 'mwan' })).mwan!.instances!;

  let reloads = 0;
  const obj = await rig.ubus.addObject('mwan', {
    reload: {
      handler: () => {
        reloads++;
        return { ok: true };
      },
    },
  });
  assert.equal((await rc(rig, env, 'reload')).code, 0);
  assert.equal(reloads, 1);
  const after = (await rig.client.list({ name: 'mwan' })).mwan!.instances!;
  assert.equal(after.mwand!.pid, before.mwand!.pid, 'reload does not restart mwand');

  // what `uci commit mwan; reload_config` sends; procd-ts runs the trigger after its 1 s delay
  await rig.client.event('config.change', { package: 'network' });
  await rig.client.event('config.change', { package: 'mwan' });
  await waitFor(() => reloads === 2, 8000);
  await rig.procd.supervisor.triggersIdle();
  assert.equal(reloads, 2, 'one reload for one changed package');

  // mwand gone (no `mwan` object, instance deleted): reload falls back to start
  await obj.remove();
  await rig.client.delete('mwan', 'mwand');
  await waitFor(async () => !(await rig.client.list({ name: 'mwan' })).mwan!.instances!.mwand);
  assert.equal((await rc(rig, env, 'reload')).code, 0);
  const restarted = (await rig.client.list({ name: 'mwan' })).mwan!.instances!;
  assert.equal(restarted.mwand!.running, true);
  assert.equal(restarted.rtmon!.pid, before.rtmon!.pid);
});

test('lab-style environment: UBUS_SOCKET, UCI_CONFIG_DIR and programs found in PATH', async (t) => {
  const rig = await startBusRig(t, { binDir: true });
  const bin = join(rig.dir, 'bin');
  for (const name of ['mwand', 'mwan-rtmon']) {
    writeFileSync(join(bin, name), '#!/bin/sh\ncase "$1" in --check|--teardown-now) exit 0 ;; esac\nexec sleep 1000\n');
    chmodSync(join(bin, name), 0o755);
  }
  const conf = join(rig.dir, 'conf');
  const env = { UCI_CONFIG_DIR: conf, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  assert.equal((await rc(rig, env, 'start')).code, 0);
  const { mwand, rtmon } = (await rig.client.list({ name: 'mwan' })).mwan!.instances!;
  assert.deepEqual(mwand!.command, ['mwand', '-s', rig.socketPath, '-c', conf]);
  assert.deepEqual(rtmon!.command, ['mwan-rtmon', '-s', rig.socketPath, '-c', conf]);
  await new Promise((r) => setTimeout(r, 300));
  const later = await rig.client.instance('mwan', 'mwand');
  assert.equal(later?.running, true, 'procd-ts found mwand in its PATH (a failed exec would show exit_code 127)');
  assert.equal(later?.pid, mwand!.pid);
  assert.equal((await rc(rig, env, 'stop')).code, 0);
  await waitFor(async () => Object.keys(await rig.client.list()).length === 0);
});
