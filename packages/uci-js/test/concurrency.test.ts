import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePackageText } from '../src/index.js';

const writer = fileURLToPath(new URL('./concurrent-writer.js', import.meta.url));

function run(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [writer, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => resolve(code ?? 1));
  });
}

test('three processes committing at once lose no change (lock + re-read + replay)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'uci-conc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const conf = join(root, 'config');
  await import('node:fs').then((fs) => fs.mkdirSync(conf));
  writeFileSync(join(conf, 'p'), "config t 's'\n");
  const N = 25;
  const codes = await Promise.all(['a', 'b', 'c'].map((w) => run([conf, join(root, `save-${w}`), 'p', w, String(N)])));
  assert.deepEqual(codes, [0, 0, 0]);
  const pkg = parsePackageText(readFileSync(join(conf, 'p'), 'utf8'), 'p').package;
  const names = new Set(pkg.sections[0]?.options.map((o) => o.name));
  for (const w of ['a', 'b', 'c']) for (let i = 0; i < N; i++) assert.ok(names.has(`${w}${i}`), `${w}${i} missing`);
  assert.equal(names.size, 3 * N);
  assert.deepEqual(readdirSync(conf), ['p'], 'no lock or temp file left');
});
