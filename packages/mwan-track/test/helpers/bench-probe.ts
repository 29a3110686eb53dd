/**
 * `node bench-probe.js inproc|ping N TARGET DEVICE`: sends N echo probes one after another and
 * prints {cpu_ms_per_probe, wall_ms, answered}. `ping` spawns `ping -c1` per probe and counts the
 * children's CPU (from /proc/self/stat cutime+cstime) plus our own spawning cost.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { IcmpProber } from '../../src/probes/icmp.js';

const [mode, nStr, target, device] = process.argv.slice(2) as [string, string, string, string];
const n = Number(nStr);
const ticks = 100; // USER_HZ on Linux
const childCpuMs = (): number => {
  const f = readFileSync('/proc/self/stat', 'utf8').slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2).split(' ');
  // fields after ")": state is index 0, so cutime (16th field) is index 13, cstime index 14
  return ((Number(f[13]) + Number(f[14])) * 1000) / ticks;
};
const ownCpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

let answered = 0;
const t0 = Date.now();
const c0 = ownCpuMs();
const k0 = childCpuMs();
if (mode === 'inproc') {
  const p = new IcmpProber({ family: 'ipv4', binding: { device, srcIp: null, mark: 0x3f00 }, size: 56, ttl: 60, count: 1, timeoutMs: 1000 });
  for (let i = 0; i < n; i++) answered += (await p.probe(target)).received;
  p.close();
} else {
  for (let i = 0; i < n; i++) {
    const r = spawnSync('ping', ['-n', '-q', '-c1', '-W1', '-I', device, target], { stdio: 'ignore' });
    if (r.status === 0) answered++;
  }
}
const cpu = ownCpuMs() - c0 + (childCpuMs() - k0);
process.stdout.write(JSON.stringify({ cpu_ms_per_probe: cpu / n, wall_ms: Date.now() - t0, answered }) + '\n');
