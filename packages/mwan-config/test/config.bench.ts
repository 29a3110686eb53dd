/** mwan-config figures: time to load and check the default config and a 60-interface one. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigText } from '../src/index.js';

function figure(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench: 'mwan-config', metric, value: Math.round(value * 1000) / 1000, unit }));
}

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'test', 'fixtures');
const def = readFileSync(join(fixtures, 'mwan3-default.uci'), 'utf8');
loadConfigText(def); // compile the schema once
let t0 = performance.now();
const n = 200;
for (let i = 0; i < n; i++) loadConfigText(def);
figure('load+check mwan3 default config', (performance.now() - t0) / n, 'ms');

let big = "config globals 'globals'\n\toption mmx_mask '0x3F00'\n";
for (let i = 1; i <= 60; i++) big += `config interface 'w${i}'\n\toption enabled '1'\n\tlist track_ip '192.0.2.${i}'\nconfig member 'm${i}'\n\toption interface 'w${i}'\n`;
big += "config policy 'all'\n" + Array.from({ length: 60 }, (_, i) => `\tlist use_member 'm${i + 1}'\n`).join('');
for (let i = 0; i < 500; i++) big += `config rule 'r${i}'\n\toption dest_ip '10.${i % 256}.0.0/16'\n\toption use_policy 'all'\n`;
t0 = performance.now();
const m = 20;
for (let i = 0; i < m; i++) loadConfigText(big);
figure('load+check 60 interfaces, 500 rules', (performance.now() - t0) / m, 'ms');
