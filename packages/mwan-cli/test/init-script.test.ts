import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from 'netns-kit';
import { dispatch } from '../src/index.js';
import { DEFAULT_INIT_SCRIPT, initScriptPath } from '../src/commands/init-script.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/mwan.js');

/**
 * A fake init script in a directory whose name a shell would split and run (space, `;`): it
 * logs its argument count and arguments to $INIT_LOG, says hello on stdout and stderr and exits
 * with $INIT_EXIT; on SIGTERM it logs TERM and exits 7.
 */
function fakeInit(t: TestContext): { script: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mwan init; touch pwned '));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'mwan');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'printf "%s\\n" "$#" "$@" >> "$INIT_LOG"',
      'echo "init out $1"',
      'echo "init err $1" >&2',
      'if [ -n "$INIT_WAIT" ]; then',
      '\tsleep 20 &',
      '\ttrap \'kill $!; echo TERM >> "$INIT_LOG"; exit 7\' TERM',
      '\techo ready >> "$INIT_LOG"',
      '\twait',
      'fi',
      'exit "${INIT_EXIT:-0}"',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return { script, log: join(dir, 'log') };
}

function mwan(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15_000 });
}

test('mwan start|stop|restart run the init script with that one argument; its output and exit status are mwan\'s', (t) => {
  const { script, log } = fakeInit(t);
  for (const [action, exit] of [['start', 0], ['stop', 3], ['restart', 0]] as const) {
    rmSync(log, { force: true });
    const r = mwan([action], { MWAN_INIT: script, INIT_LOG: log, INIT_EXIT: String(exit) });
    assert.equal(r.status, exit, r.stderr);
    assert.equal(readFileSync(log, 'utf8'), `1\n${action}\n`);
    assert.equal(r.stdout, `init out ${action}\n`);
    assert.equal(r.stderr, `init err ${action}\n`);
  }
  assert.equal(existsSync(join(process.cwd(), 'pwned')), false, 'the script path went through no shell');
});

test('mwan stop: SIGTERM to mwan reaches the init script, mwan exits with the script\'s status', async (t) => {
  const { script, log } = fakeInit(t);
  const c = spawn(process.execPath, [BIN, 'stop'], { stdio: 'ignore', env: { ...process.env, MWAN_INIT: script, INIT_LOG: log, INIT_WAIT: '1' } });
  t.after(() => c.kill('SIGKILL'));
  const exited = new Promise<number | null>((res) => c.once('exit', (code) => res(code)));
  await waitUntil(() => existsSync(log) && readFileSync(log, 'utf8').includes('ready'), 8000);
  c.kill('SIGTERM');
  assert.equal(await exited, 7);
  assert.equal(readFileSync(log, 'utf8'), '1\nstop\nready\nTERM\n');
});

test('mwan start: a missing or unrunnable init script → exit 4 naming it; arguments → 64, nothing run', async (t) => {
  const { script, log } = fakeInit(t);
  const missing = mwan(['start'], { MWAN_INIT: join(dirname(script), 'nope') });
  assert.equal(missing.status, 4);
  assert.equal(missing.stderr, `mwan start: ${join(dirname(script), 'nope')} not found (is mwan installed? $MWAN_INIT names another init script)\n`);

  chmodSync(script, 0o644);
  const noExec = mwan(['restart'], { MWAN_INIT: script, INIT_LOG: log });
  assert.equal(noExec.status, 4);
  assert.match(noExec.stderr, /^mwan restart: cannot run .*\/mwan: spawn .* EACCES\n$/);
  chmodSync(script, 0o755);

  for (const argv of [['start', 'now'], ['stop', '--json'], ['-s', '/x.sock', 'restart']]) {
    let err = '';
    const code = await withEnv({ MWAN_INIT: script, INIT_LOG: log }, () => dispatch(argv, { stdout: () => {}, stderr: (s) => (err += s) }));
    assert.equal(code, 64, argv.join(' '));
    assert.match(err, /^mwan (start|stop|restart): takes no arguments/, argv.join(' '));
  }
  assert.equal(existsSync(log), false, 'the init script never ran');
});

test('the init script is /etc/init.d/mwan unless MWAN_INIT names another; help lists start, stop, restart', async () => {
  assert.equal(DEFAULT_INIT_SCRIPT, '/etc/init.d/mwan');
  assert.equal(initScriptPath({}), '/etc/init.d/mwan');
  assert.equal(initScriptPath({ MWAN_INIT: '' }), '/etc/init.d/mwan');
  assert.equal(initScriptPath({ MWAN_INIT: '/tmp/x/mwan' }), '/tmp/x/mwan');
  let out = '';
  assert.equal(await dispatch(['help'], { stdout: (s) => (out += s), stderr: () => {} }), 0);
  for (const a of ['start', 'stop', 'restart']) assert.match(out, new RegExp(`\\n  ${a} .*/etc/init\\.d/mwan ${a} \\(\\$MWAN_INIT`));
});

async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
