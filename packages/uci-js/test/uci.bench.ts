/**
 * uci-js figures: parse and export throughput on a large generated config, and the cost of a
 * set+commit cycle. Prints {"bench","metric","value","unit"} lines for `pnpm bench`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPackage, parsePackageText, parsePtr, resolvePtr, setValue, UciContext } from '../src/index.js';

function figure(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench: 'uci-js', metric, value: Math.round(value * 100) / 100, unit }));
}

let text = '';
for (let i = 0; i < 5000; i++) {
  text += `\nconfig rule 'r${i}'\n\toption dest_ip '10.${i % 256}.0.0/16'\n\toption proto 'tcp'\n\tlist dest_port '${i % 65535}'\n\toption note "quoted \\"value\\" ${i}"\n`;
}
const bytes = Buffer.byteLength(text);
let t0 = performance.now();
const rounds = 5;
let pkg = parsePackageText(text, 'big').package;
for (let r = 1; r < rounds; r++) pkg = parsePackageText(text, 'big').package;
let ms = (performance.now() - t0) / rounds;
figure('parse 5000 sections (20000 lines)', ms, 'ms');
figure('parse throughput', bytes / 1e6 / (ms / 1000), 'MB/s');
t0 = performance.now();
for (let r = 0; r < rounds; r++) exportPackage(pkg);
ms = (performance.now() - t0) / rounds;
figure('export 5000 sections', ms, 'ms');

const dir = mkdtempSync(join(tmpdir(), 'uci-bench-'));
try {
  writeFileSync(join(dir, 'net'), "config interface 'lan'\n\toption proto 'static'\n");
  const ctx = new UciContext({ confdir: dir, savedir: join(dir, '.save') });
  const n = 200;
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const lp = ctx.load('net');
    setValue(resolvePtr(lp.package, parsePtr(`net.lan.mtu=${1400 + (i % 2)}`)), lp.delta);
    ctx.commit(lp);
  }
  figure('load+set+commit (fsync, rename)', (performance.now() - t0) / n, 'ms');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
