#!/usr/bin/env node
// `pnpm bundle`: one self-contained JavaScript file per program (esbuild), for the router.
// Native addons (raw-socket, netlink) stay external: they are installed beside the bundles as
// compiled for the target. Prints each bundle's size.
import { build } from 'esbuild';
import { readFileSync, statSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'build', 'bundle');
mkdirSync(out, { recursive: true });

const programs = [];
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pj = join(root, 'packages', dir, 'package.json');
  if (!existsSync(pj)) continue;
  const pkg = JSON.parse(readFileSync(pj, 'utf8'));
  for (const [name, shim] of Object.entries(pkg.bin ?? {})) {
    if (dir === 'lab') continue; // the lab is a development tool, not shipped
    const m = /import '(.+)';/.exec(readFileSync(join(root, 'packages', dir, shim), 'utf8'));
    if (!m) throw new Error(`packages/${dir}/${shim}: no import line`);
    programs.push({ name, entry: join(root, 'packages', dir, 'bin', m[1]) });
  }
}

const rows = [];
for (const p of programs) {
  if (!existsSync(p.entry)) { rows.push([p.name, 'missing (run pnpm build)']); continue; }
  const file = join(out, `${p.name}.mjs`);
  await build({
    entryPoints: [p.entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    external: ['raw-socket', 'netlink'],
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  rows.push([p.name, `${(statSync(file).size / 1024).toFixed(1)} KiB`]);
}
for (const [n, s] of rows) console.log(`${n.padEnd(12)} ${s}`);
console.log(`bundles in ${out}`);
