import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText, runCheck, trackerSettings } from '../src/index.js';

async function check(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCheck(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

function dir(t: { after: (fn: () => void) => void }, text: string): string {
  const d = mkdtempSync(join(tmpdir(), 'mwan-check-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  writeFileSync(join(d, 'mwan'), text);
  return d;
}

const BAD = "config interface 'wan'\n\toption enabled 'x'\nconfig member 'm'\n\toption interface 'wanc'\n\toption colour 'red'\nconfig rule 'r'\n\toption use_policy 'nope'\n";

test('mwan check prints every problem as file:line: code: message and exits 1', async (t) => {
  const d = dir(t, BAD);
  const f = join(d, 'mwan');
  const r = await check(['-c', d]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.out.trimEnd().split('\n'), [
    `${f}:2: ERR_MWAN_TYPE: enabled: 'x' is not a boolean (0/1)`,
    `${f}:4: ERR_MWAN_UNKNOWN_INTERFACE: member 'm' uses interface 'wanc', which has no interface section`,
    `${f}:5: WARN_MWAN_UNKNOWN_OPTION: unknown option 'colour' in member section 'm' is ignored`,
    `${f}:7: ERR_MWAN_UNKNOWN_POLICY: rule 'r' uses policy 'nope', which is neither a policy section nor default/unreachable/blackhole`,
  ]);
  assert.equal(r.err, `${f}: 3 error(s), 1 warning(s)\n`);
});

test('mwan check --json gives the same issues as data', async (t) => {
  const d = dir(t, BAD);
  const r = await check(['--json', '-c', d]);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.out);
  assert.equal(j.ok, false);
  assert.deepEqual(j.errors.map((e: { line: number; code: string; field: string }) => [e.line, e.code, e.field]), [
    [2, 'ERR_MWAN_TYPE', 'wan.enabled'],
    [4, 'ERR_MWAN_UNKNOWN_INTERFACE', 'm.interface'],
    [7, 'ERR_MWAN_UNKNOWN_POLICY', 'r.use_policy'],
  ]);
  assert.equal(j.warnings[0].code, 'WARN_MWAN_UNKNOWN_OPTION');
});

test('a valid config exits 0 with a summary; usage errors exit 2', async (t) => {
  const d = dir(t, "config interface 'wan'\nconfig member 'm'\n\toption interface 'wan'\nconfig policy 'p'\n\tlist use_member 'm'\nconfig rule 'r'\n\toption use_policy 'p'\n");
  const ok = await check(['-c', d]);
  assert.deepEqual(ok, { code: 0, out: '', err: `${join(d, 'mwan')}: OK (1 interfaces, 1 members, 1 policies, 1 rules), 0 warning(s)\n` });
  assert.equal((await check(['--bogus'])).code, 2);
  assert.equal((await check(['-c'])).code, 2);
  const missing = await check(['-c', join(d, 'nowhere')]);
  assert.equal(missing.code, 1);
  assert.match(missing.out, /nowhere\/mwan:0: ERR_MWAN_NO_CONFIG: cannot read .*\(ENOENT\)/);
});

test('track_method arping / nping-arp: accepted without a warning and passed through to the tracker as configured', async (t) => {
  const text = [
    "config interface 'wan'",
    "\toption enabled '1'",
    "\tlist track_ip '192.0.2.1'",
    "\toption track_method 'arping'",
    "config interface 'wanb'",
    "\tlist track_ip '198.51.100.1'",
    "\toption track_method 'nping-arp'",
    "config interface 'wanc'",
    "\tlist track_ip '203.0.113.1'",
    "\toption track_method 'nping-tcp'",
    '',
  ].join('\n');
  const d = dir(t, text);
  const f = join(d, 'mwan');
  const r = await check(['-c', d]);
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.out + r.err, /WARN_MWAN_TRACK_METHOD_UNSUPPORTED|ping is used instead/);
  const loaded = loadConfigText(text, f);
  assert.deepEqual(loaded.errors, []);
  assert.deepEqual(loaded.warnings, []);
  const byName = (n: string) => loaded.config!.interfaces.find((i) => i.name === n)!;
  // mwan-track does ARP (an arping helper per target), so the method reaches it unchanged
  assert.equal(byName('wan').trackMethod, 'arping');
  assert.equal(trackerSettings(byName('wan')).trackMethod, 'arping');
  assert.equal(trackerSettings(byName('wanb')).trackMethod, 'nping-arp');
  assert.equal(trackerSettings(byName('wanc')).trackMethod, 'nping-tcp');
});
