/**
 * Differential regression tests: every fixture in test/fixtures/libuci/*.json is DATA recorded
 * from libuci's `uci` CLI built from openwrt/uci at commit
 * 66127cd76c5d0bd46d5a90302cc6110f53a4e2f8 (run as `uci -c <conf> -t <save> ARGS...` on the
 * fixture's files, umask 022). Each step's exit code, stdout and stderr, and the resulting config
 * and delta files (bytes and modes) must come out the same from uci-ts. `$ROOT` stands for the
 * temporary directory holding conf/ and save/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUci } from '../src/index.js';

interface Step {
  argv: string[];
  stdin?: string;
  code: number;
  stdout: string;
  stderr: string;
}
interface Fixture {
  why: string;
  files: Record<string, string>;
  steps: Step[];
  conf: Record<string, { mode: string; text: string }>;
  save: Record<string, { mode: string; text: string }>;
}

// compiled to dist/test; the fixtures stay in the package's test/ directory
const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '..', '..', 'test', 'fixtures', 'libuci');

function snapshot(dir: string, out: Record<string, { mode: string; text: string }> = {}, rel = ''): Record<string, { mode: string; text: string }> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) snapshot(p, out, `${rel}${n}/`);
    else if (!n.includes('.uci-')) out[rel + n] = { mode: (st.mode & 0o777).toString(8), text: readFileSync(p, 'utf8') };
  }
  return out;
}

const umask = process.umask();

for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()) {
  const fx = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Fixture;
  test(`libuci parity: ${file.replace(/\.json$/, '')} — ${fx.why}`, async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'uci-rec-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const conf = join(root, 'c');
    const save = join(root, 's');
    mkdirSync(conf);
    for (const [name, text] of Object.entries(fx.files)) {
      // a name like ../o/net puts a file beside conf/ (the -C override directory)
      mkdirSync(dirname(join(conf, name)), { recursive: true });
      writeFileSync(join(conf, name), text);
    }
    const sub = (s: string): string => s.split('$ROOT').join(root);
    for (const [i, step] of fx.steps.entries()) {
      let out = '';
      let err = '';
      const code = await runUci(['-c', conf, '-t', save, ...step.argv.map(sub)], {
        stdout: (s) => (out += s),
        stderr: (s) => (err += s),
        readStdin: async () => step.stdin ?? '',
      });
      const where = `step ${i}: uci ${step.argv.join(' ')}`;
      assert.equal(out, sub(step.stdout), `${where}: stdout`);
      assert.equal(err, sub(step.stderr), `${where}: stderr`);
      assert.equal(code, step.code, `${where}: exit code`);
    }
    const strip = (m: Record<string, { mode: string; text: string }>, withMode: boolean): Record<string, unknown> =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, withMode ? v : v.text]));
    // modes were recorded under umask 022
    const modes = umask === 0o22;
    assert.deepEqual(strip(snapshot(conf), modes), strip(fx.conf, modes), 'config files');
    assert.deepEqual(strip(snapshot(save), modes), strip(fx.save, modes), 'delta files');
  });
}
