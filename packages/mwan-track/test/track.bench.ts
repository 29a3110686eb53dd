/**
 * Tracker benchmark, inside its own namespaces (run as root):
 *   node packages/mwan-track/dist/test/track.bench.js
 * Figures: CPU time per probe, in-process ICMP vs a `ping -c1` spawn per probe (and the ratio);
 * a tracker process's private and shared memory (from /proc/<pid>/smaps_rollup), idle and with
 * 5 targets at 1 s interval. Prints one JSON line per figure, then a table.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canUseNetns, Lab, run, waitUntil } from 'netns-kit';
import { connect, startBroker } from 'ubus-ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const TRACK_BIN = here('../../bin/mwan-track.js');
const rows: { metric: string; value: number; unit: string }[] = [];
const figure = (metric: string, value: number, unit: string): void => {
  const v = Math.round(value * 1000) / 1000;
  rows.push({ metric, value: v, unit });
  process.stdout.write(JSON.stringify({ bench: 'track', metric, value: v, unit }) + '\n');
};

function smaps(pid: number): { privateKb: number; sharedKb: number; rssKb: number; pssKb: number } {
  const txt = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(txt)?.[1] ?? 0);
  return {
    privateKb: kb('Private_Clean') + kb('Private_Dirty'),
    sharedKb: kb('Shared_Clean') + kb('Shared_Dirty'),
    rssKb: kb('Rss'),
    pssKb: kb('Pss'),
  };
}

if (!canUseNetns()) {
  process.stderr.write('track.bench: needs root (network namespaces)\n');
  process.exit(1);
}
const lab = new Lab('mtb');
const dir = mkdtempSync(join(tmpdir(), 'mwan-track-bench-'));
try {
  const r = lab.netns('r');
  const far = lab.netns('far');
  lab.link(r, 'wan1', far, 'e1', { a: ['10.1.0.2/24'], b: ['10.1.0.1/24'] });
  r.ip('route', 'add', 'default', 'via', '10.1.0.1', 'dev', 'wan1');
  const targets = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'];
  for (const tgt of targets) far.ip('addr', 'add', `${tgt}/32`, 'dev', 'lo');
  far.sysctl('net.ipv4.icmp_ratelimit', '0');

  // CPU per probe
  const probe = (mode: string, n: number): { cpu_ms_per_probe: number; wall_ms: number; answered: number } =>
    JSON.parse(run(r.argv([process.execPath, here('./helpers/bench-probe.js'), mode, String(n), targets[0]!, 'wan1'])).stdout);
  probe('inproc', 50); // warm-up (JIT)
  const inproc = probe('inproc', 2000);
  const spawned = probe('ping', 200);
  if (inproc.answered !== 2000 || spawned.answered !== 200) throw new Error(`probes unanswered: ${JSON.stringify({ inproc, spawned })}`);
  figure('cpu_per_probe_inprocess', inproc.cpu_ms_per_probe * 1000, 'us');
  figure('cpu_per_probe_ping_spawn', spawned.cpu_ms_per_probe * 1000, 'us');
  figure('cpu_ratio_spawn_vs_inprocess', spawned.cpu_ms_per_probe / inproc.cpu_ms_per_probe, 'x');

  // memory of a tracker process
  const socketPath = join(dir, 'ubus.sock');
  const broker = await startBroker({ socketPath, credentials: 'broker' });
  const client = await connect({ socketPath });
  const measure = async (iface: string, settings: object, settleMs: number): Promise<ReturnType<typeof smaps>> => {
    const child = lab.spawn(r, [process.execPath, TRACK_BIN, '-s', socketPath, '-i', iface, '--settings', JSON.stringify(settings)]);
    await client.waitFor([`mwan.track.${iface}`], { timeoutMs: 10000 });
    await new Promise((res) => setTimeout(res, settleMs));
    const st = await client.call(`mwan.track.${iface}`, 'status');
    if (st?.state !== 'online') throw new Error(`${iface} not online: ${JSON.stringify(st)}`);
    const m = smaps(child.pid!);
    child.kill('SIGTERM');
    await waitUntil(() => child.exitCode !== null, 5000);
    return m;
  };
  const idle = await measure('idle', { trackIp: [targets[0]], device: 'wan1', interval: 10 }, 3000);
  const busy = await measure('busy', { trackIp: targets, reliability: 5, device: 'wan1', interval: 1, count: 1 }, 6000);
  figure('tracker_private_idle', idle.privateKb / 1024, 'MiB');
  figure('tracker_shared_idle', idle.sharedKb / 1024, 'MiB');
  figure('tracker_private_5_targets_1s', busy.privateKb / 1024, 'MiB');
  figure('tracker_shared_5_targets_1s', busy.sharedKb / 1024, 'MiB');
  figure('tracker_rss_5_targets_1s', busy.rssKb / 1024, 'MiB');
  await client.close();
  await broker.close();
} finally {
  await lab.destroy();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write('\nmwan-track benchmark\n');
for (const row of rows) process.stdout.write(`  ${row.metric.padEnd(32)} ${String(row.value).padStart(10)} ${row.unit}\n`);
