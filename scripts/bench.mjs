#!/usr/bin/env node
// `pnpm bench`: runs every compiled benchmark (packages/*/dist/test/*.bench.js and the lab's
// end-to-end bench) one after another, collects the JSON figure lines they print
// ({"bench","metric","value","unit"}) and prints them as one table at the end.
// Usage: pnpm bench [substring-filter ...]   (builds first)
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync, spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const build = spawnSync('pnpm', ['exec', 'tsc', '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', pkg, 'dist', 'test');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.bench.js')) files.push(join(dir, f));
}
const selected = files.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (selected.length === 0) {
  console.error('no benchmarks found');
  process.exit(1);
}

const figures = [];
let failed = 0;
for (const file of selected) {
  console.log(`\n=== ${file.slice(root.length)}`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        process.stdout.write(line + '\n');
        try {
          const j = JSON.parse(line);
          if (j && typeof j === 'object' && 'bench' in j && 'metric' in j) figures.push(j);
        } catch { /* human-readable line */ }
      }
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) { failed++; console.log(`(exit ${code})`); }
}

const w = (s, n) => String(s).padEnd(n);
console.log('\n# mwan benchmark figures\n');
console.log(`| ${w('bench', 10)} | ${w('metric', 70)} | ${w('value', 14)} | unit |`);
console.log(`|${'-'.repeat(12)}|${'-'.repeat(72)}|${'-'.repeat(16)}|------|`);
for (const f of figures) {
  const v = typeof f.value === 'number' ? (Number.isInteger(f.value) ? f.value : f.value.toFixed(3)) : f.value;
  console.log(`| ${w(f.bench, 10)} | ${w(f.metric, 70)} | ${w(v, 14)} | ${f.unit ?? ''} |`);
}
console.log(`\n${selected.length} benchmark files, ${figures.length} figures, ${failed} failed`);
process.exit(failed ? 1 : 0);
