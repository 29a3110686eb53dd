/**
 * Issue 8: tracker verdict → new ruleset in the kernel, at 2 and at 250 WANs; and what a no-op
 * reload costs (run as root):
 *   node packages/lab/dist/test/verdict.bench.js        (or `pnpm bench verdict`)
 *
 * The real mwand (kernel dataplane, `--netns` = a private namespace holding one veth device per
 * WAN; no dummy module here) runs against a real ubusd-ts and procd-ts; the bench plays netifd (objects
 * network.interface.<wan>) and the trackers (objects mwan.track.<wan>, events `mwan.track`).
 * procd-ts starts a no-op tracker per WAN (`sh -c 'exec sleep 900'`) so restarts show as new
 * pids. `nft monitor` and `ip monitor` run inside the namespace: the latency is from sending the
 * `mwan.track` event to the `# new generation` line of the nft transaction that follows (the
 * kernel committed the new ruleset), mwand's default 20 ms coalescing window included.
 * ubusd-ts, procd-ts and mwand run in the bench's namespace (the broker only accepts peers from
 * its own); nothing probes or routes anywhere. Everything is bounded and removed at the end.
 * Prints one JSON line per figure, then a table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { canUseNetns, Lab, run, waitUntil, type Netns } from 'netns-kit';
import { connect, type UbusClient, type UbusData } from 'ubus-ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = (pkg: string, name: string): string => join(root, 'packages', pkg, 'bin', `${name}.js`);

const rows: { metric: string; value: number; unit: string }[] = [];
const figure = (metric: string, value: number, unit: string): void => {
  const v = Math.round(value * 1000) / 1000;
  rows.push({ metric, value: v, unit });
  process.stdout.write(JSON.stringify({ bench: 'verdict', metric, value: v, unit }) + '\n');
};
const note = (s: string): void => void process.stderr.write(`verdict.bench: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** nearest-rank percentile */
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

if (!canUseNetns()) {
  process.stderr.write('verdict.bench: needs root (network namespaces)\n');
  process.exit(1);
}

const TRIALS = Number(process.env.VERDICT_TRIALS ?? 100);
const SIZES = (process.env.VERDICT_WANS ?? '2,250').split(',').map(Number);

/** a line-stamping monitor (nft monitor / ip monitor) inside the namespace */
class Monitor {
  readonly lines: { t: number; line: string }[] = [];
  readonly child: ChildProcess;
  constructor(lab: Lab, ns: Netns, cmd: string[]) {
    this.child = lab.spawn(ns, cmd, { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.lines.push({ t: performance.now(), line }));
  }
  /** time of the last line */
  last(): number {
    return this.lines.length ? this.lines[this.lines.length - 1]!.t : 0;
  }
}

const wanName = (k: number): string => `wan${k}`;

function config(n: number, firstWeight = 1): string {
  const out = ['config globals \'globals\'', '\toption mmx_mask \'0xFF00\'', '\toption logging \'0\''];
  for (let k = 0; k < n; k++) {
    out.push('', `config interface '${wanName(k)}'`, "\toption enabled '1'", "\toption family 'ipv4'", `\tlist track_ip '10.100.${k}.1'`, "\toption initial_state 'online'");
  }
  for (let k = 0; k < n; k++) out.push('', `config member '${wanName(k)}_m'`, `\toption interface '${wanName(k)}'`, "\toption metric '1'", `\toption weight '${k === 0 ? firstWeight : 1}'`);
  out.push('', "config policy 'all'", ...Array.from({ length: n }, (_, k) => `\tlist use_member '${wanName(k)}_m'`), "\toption last_resort 'unreachable'");
  out.push('', "config rule 'default_v4'", "\toption dest_ip '0.0.0.0/0'", "\toption family 'ipv4'", "\toption use_policy 'all'");
  return out.join('\n') + '\n';
}

function netifdStatus(k: number): UbusData {
  return {
    up: true, pending: false, available: true, autostart: true, uptime: 100, l3_device: wanName(k), device: wanName(k), proto: 'static',
    'ipv4-address': [{ address: `10.100.${k}.2`, mask: 24 }], 'ipv6-address': [],
    route: [{ target: '0.0.0.0', mask: 0, nexthop: `10.100.${k}.1`, source: '0.0.0.0/0' }], 'dns-server': [],
  };
}

interface Instances { [name: string]: { pid?: number; running?: boolean } }
async function instances(bus: UbusClient): Promise<Instances> {
  const l = (await bus.call('service', 'list', { name: 'mwan' })) as Record<string, { instances?: Instances }> | undefined;
  return l?.mwan?.instances ?? {};
}

/** waits until nothing new arrived on any monitor for quietMs (bounded) */
async function quiet(mons: Monitor[], quietMs: number, boundMs: number): Promise<boolean> {
  const until = performance.now() + boundMs;
  while (performance.now() < until) {
    const last = Math.max(...mons.map((m) => m.last()));
    if (performance.now() - last >= quietMs) return true;
    await sleep(Math.min(quietMs, 50));
  }
  return false;
}

async function scenario(n: number): Promise<void> {
  const lab = new Lab('mwvd');
  const dir = mkdtempSync(join(tmpdir(), 'mwan-verdict-'));
  const roots: ChildProcess[] = [];
  const logs: string[] = [];
  const startRoot = (argv: string[], name: string): ChildProcess => {
    const c = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => { for (const l of d.toString().split('\n')) if (l) logs.push(`${name}: ${l}`); if (logs.length > 400) logs.splice(0, 200); };
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    roots.push(c);
    return c;
  };
  let bus: UbusClient | undefined;
  let trackerPids: number[] = [];
  try {
    const ns = lab.netns('rtr');
    const batch: string[] = [];
    for (let k = 0; k < n; k++) batch.push(`link add ${wanName(k)} type veth peer name wp${k}`, `link set wp${k} up`, `link set ${wanName(k)} up`, `addr add 10.100.${k}.2/24 dev ${wanName(k)}`);
    run(['ip', '-n', ns.name, '-batch', '-'], { input: batch.join('\n') + '\n' });
    const nftMon = new Monitor(lab, ns, ['nft', 'monitor']);
    const ipMon = new Monitor(lab, ns, ['ip', 'monitor', 'link', 'address', 'route', 'rule']);

    const sock = join(dir, 'ubus.sock');
    const cfgDir = join(dir, 'config');
    mkdirSync(cfgDir);
    writeFileSync(join(cfgDir, 'mwan'), config(n));
    startRoot([bin('ubus-ts', 'ubusd-ts'), '-s', sock], 'ubusd');
    await waitUntil(() => existsSync(sock), 5000);
    bus = await connect({ socketPath: sock });
    const b = bus;
    // each fake tracker's status answers what it last announced
    const online = new Array<boolean>(n).fill(true);
    for (let k = 0; k < n; k++) {
      await b.addObject(`network.interface.${wanName(k)}`, { status: { handler: () => netifdStatus(k) } });
      await b.addObject(`mwan.track.${wanName(k)}`, {
        status: { handler: () => ({ interface: wanName(k), state: online[k] ? 'online' : 'offline', score: online[k] ? 10 : 0, lost: online[k] ? 0 : 5, turn: 0 }) },
        update: { handler: () => ({}) },
        reset: { handler: () => ({}) },
      });
    }
    startRoot([bin('procd-js', 'procd-ts'), '-s', sock], 'procd');
    await waitUntil(async () => { try { await b.call('service', 'list', {}); return true; } catch { return false; } }, 10_000, 100);

    const t0 = performance.now();
    const mwand = startRoot([bin('mwand', 'mwand'), '-s', sock, '-c', cfgDir, '--netns', ns.name, '--hook', join(dir, 'no-hook'), '--hook-fallback', join(dir, 'no-hook'),
      '--track-command', '/bin/sh', '--track-command', '-c', '--track-command', 'exec sleep 900', '--track-command', 'mwan-track-noop'], 'mwand');
    // steady: every no-op tracker running at procd, the kernel quiet
    await waitUntil(async () => {
      try {
        const i = await instances(b);
        return Object.keys(i).filter((x) => x.startsWith('track_')).length === n && Object.values(i).every((x) => x.pid);
      } catch { return false; }
    }, 60_000, 200);
    await waitUntil(() => nftMon.lines.some((l) => l.line.startsWith('# new generation')), 30_000, 50);
    if (!(await quiet([nftMon, ipMon], 1000, 30_000))) throw new Error('the kernel did not settle after start');
    // both monitors must have seen the initial apply (WAN routes/rules, table inet mwan), else counting them later means nothing
    if (ipMon.lines.length === 0 || !nftMon.lines.some((l) => l.line.startsWith('add table inet mwan'))) throw new Error(`monitors saw no initial apply (nft ${nftMon.lines.length} lines, ip ${ipMon.lines.length} lines)`);
    note(`${n} WANs: initial apply seen as ${nftMon.lines.length} nft monitor lines, ${ipMon.lines.length} ip monitor lines`);
    figure(`${n} WANs: mwand start → last kernel change of the initial apply (${n} trackers started at procd meanwhile)`, Math.max(nftMon.last(), ipMon.last()) - t0, 'ms');

    // verdicts: each WAN in turn goes offline, then online again
    const lat: number[] = [];
    const txPerVerdict: number[] = [];
    let missed = 0;
    for (let i = 0; i < TRIALS; i++) {
      const k = (i >> 1) % n;
      const up = i % 2 === 1;
      online[k] = up;
      const mark = nftMon.lines.length;
      const sent = performance.now();
      await b.sendEvent('mwan.track', {
        interface: wanName(k), device: wanName(k), action: up ? 'connected' : 'disconnected', state: up ? 'online' : 'offline',
        previous: up ? 'connecting' : 'disconnecting', score: up ? 10 : 0, lost: up ? 0 : 5, turn: i, latency_ms: 1, loss_pct: up ? 0 : 100, time: Math.floor(sent / 1000),
      });
      const gen = await waitUntil(() => nftMon.lines.slice(mark).find((l) => l.line.startsWith('# new generation')), 5000, 1).catch(() => undefined);
      if (!gen) { missed++; note(`${n} WANs: verdict ${i} (${wanName(k)} ${up ? "online" : "offline"}) gave no nft transaction`); continue; }
      lat.push(gen.t - sent);
      await quiet([nftMon, ipMon], 150, 5000);
      txPerVerdict.push(nftMon.lines.slice(mark).filter((l) => l.line.startsWith('# new generation')).length);
    }
    if (missed) note(`${n} WANs: ${missed} of ${TRIALS} verdicts gave no nft transaction within 5 s`);
    if (lat.length) {
      figure(`${n} WANs: tracker verdict (mwan.track event) → new ruleset committed in the kernel, p50 of ${lat.length}`, pct(lat, 50), 'ms');
      figure(`${n} WANs: tracker verdict → ruleset in kernel, p99 of ${lat.length}`, pct(lat, 99), 'ms');
      figure(`${n} WANs: nft transactions per verdict (max)`, Math.max(...txPerVerdict), 'transactions');
    }
    figure(`${n} WANs: verdicts without a kernel change within 5 s`, missed, 'verdicts');

    // a reload with the config unchanged: nothing may change in the kernel, nothing restarts
    await quiet([nftMon, ipMon], 500, 10_000);
    const before = await instances(b);
    trackerPids = Object.values(before).map((x) => x.pid ?? 0).filter(Boolean);
    const nftMark = nftMon.lines.length;
    const ipMark = ipMon.lines.length;
    const r0 = performance.now();
    const reply = await b.call('mwan', 'reload', {}, { timeoutMs: 60_000 }).catch((e: Error) => ({ error: e.message }));
    const reloadMs = performance.now() - r0;
    await sleep(1500);
    const after = await instances(b);
    const restarted = Object.keys(before).filter((x) => after[x]?.pid !== before[x]?.pid).length + Object.keys(after).filter((x) => !(x in before)).length;
    const nftLines = nftMon.lines.slice(nftMark);
    const changes = nftLines.filter((l) => !l.line.startsWith('#')).length + ipMon.lines.length - ipMark;
    note(`${n} WANs: no-op reload reply ${JSON.stringify(reply).slice(0, 200)}`);
    if (nftLines.length || ipMon.lines.length > ipMark) note(`${n} WANs: no-op reload changed: ${[...nftLines, ...ipMon.lines.slice(ipMark)].slice(0, 10).map((l) => l.line).join(' | ')}`);
    figure(`${n} WANs: no-op reload (ubus call mwan reload, config unchanged): kernel changes (nft + ip monitor lines)`, changes, 'changes');
    figure(`${n} WANs: no-op reload: nft transactions`, nftLines.filter((l) => l.line.startsWith('# new generation')).length, 'transactions');
    figure(`${n} WANs: no-op reload: process restarts (procd pids of service mwan)`, restarted, 'restarts');
    figure(`${n} WANs: no-op reload: ubus call duration`, reloadMs, 'ms');

    // control: the same counters see a reload that does change something (one member's weight)
    const nftMark2 = nftMon.lines.length;
    const ipMark2 = ipMon.lines.length;
    writeFileSync(join(cfgDir, 'mwan'), config(n, 2));
    const reply2 = await b.call('mwan', 'reload', {}, { timeoutMs: 60_000 }).catch((e: Error) => ({ error: e.message }));
    await sleep(1500);
    const after2 = await instances(b);
    const restarted2 = Object.keys(after).filter((x) => after2[x]?.pid !== after[x]?.pid).length;
    const nftLines2 = nftMon.lines.slice(nftMark2);
    note(`${n} WANs: weight reload reply ${JSON.stringify(reply2).slice(0, 120)}`);
    figure(`${n} WANs: control, reload with one member's weight changed: kernel changes (nft + ip monitor lines)`, nftLines2.filter((l) => !l.line.startsWith('#')).length + ipMon.lines.length - ipMark2, 'changes');
    figure(`${n} WANs: control, weight reload: nft transactions`, nftLines2.filter((l) => l.line.startsWith('# new generation')).length, 'transactions');
    figure(`${n} WANs: control, weight reload: process restarts`, restarted2, 'restarts');
    trackerPids.push(...Object.values(after2).map((x) => x.pid ?? 0).filter(Boolean));
    if (mwand.exitCode !== null) throw new Error(`mwand exited (${mwand.exitCode})`);
    trackerPids = Object.values(after).map((x) => x.pid ?? 0).filter(Boolean).concat(trackerPids);
  } catch (err) {
    note(`${n} WANs: ${err instanceof Error ? err.message : String(err)}`);
    for (const l of logs.slice(-20)) note(`  ${l}`);
    process.exitCode = 1;
  } finally {
    // mwand first (it removes its kernel state in the namespace), then the trackers via procd
    const [, , mwandProc] = roots;
    if (mwandProc && mwandProc.exitCode === null) {
      const gone = new Promise((r) => { mwandProc.once('exit', r); setTimeout(r, 5000).unref(); });
      mwandProc.kill('SIGTERM');
      await gone;
    }
    if (bus) {
      await bus.call('service', 'delete', { name: 'mwan' }).catch(() => undefined);
      await sleep(300);
      await bus.close().catch(() => undefined);
    }
    for (const pid of new Set(trackerPids)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const c of roots.reverse()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const n of SIZES) await scenario(n);

const w = Math.max(...rows.map((x) => x.metric.length));
process.stdout.write(`\n${'figure'.padEnd(w)}  value\n`);
for (const x of rows) process.stdout.write(`${x.metric.padEnd(w)}  ${x.value} ${x.unit}\n`);
process.exit(process.exitCode ?? 0);
