/**
 * Issue 9: end-to-end failover and failback time on real LAN flows, in the lab (run as root):
 *   node packages/lab/dist/test/failover.bench.js        (or `pnpm bench failover`)
 * The whole router stack runs in the lab's namespaces (ubusd-ts, procd-ts, netifd-ts, mwand,
 * mwan-rtmon, one mwan-track per WAN); a LAN client starts a new UDP flow every 50 ms. The
 * first WAN (fibre, metric 1) dies (its ISP drops everything); we measure the time until every
 * new flow is answered through another WAN (metrics.timeToMove: settled for 1 s), and after
 * healing, the time until new flows use fibre again (timeToReturn). Two tracking profiles in
 * the same run: fast (interval 0.2 s) and mwan3's defaults (interval 10, timeout 4, down 5,
 * up 5; failure/recovery interval = interval). Every wait is bounded; namespaces are removed.
 * Prints one JSON line per figure, then a table.
 */
import { canUseNetns } from 'netns-kit';
import { defaultTopology } from '../src/topology.js';
import { startLab, stopLab, applyAction, type LabSession } from '../src/run.js';
import { timeToMove, timeToReturn } from '../src/metrics.js';
import type { TrackTiming } from '../src/lab-config.js';

const rows: { metric: string; value: number; unit: string }[] = [];
const figure = (metric: string, value: number, unit: string): void => {
  const v = Math.round(value * 1000) / 1000;
  rows.push({ metric, value: v, unit });
  process.stdout.write(JSON.stringify({ bench: 'failover', metric, value: v, unit }) + '\n');
};
const note = (s: string): void => void process.stderr.write(`failover.bench: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

if (!canUseNetns()) {
  process.stderr.write('failover.bench: needs root (network namespaces)\n');
  process.exit(1);
}

interface Profile {
  key: string;
  label: string;
  timing: TrackTiming;
  rounds: number;
  /** bound for each wait (failover, failback) */
  moveBoundMs: number;
  returnBoundMs: number;
}

const FAST: TrackTiming = { interval: 0.2, failureInterval: 0.2, recoveryInterval: 0.2, timeout: 0.2, down: 3, up: 3 };
// mwan3track's defaults (config_get ... in mwan3track; wiki): interval 10, timeout 4, down 5,
// up 5, failure_interval = recovery_interval = interval; count 1, reliability 1
const MWAN3: TrackTiming = { interval: 10, failureInterval: 10, recoveryInterval: 10, timeout: 4, down: 5, up: 5 };
const profiles: Profile[] = [
  { key: 'fast', label: 'interval 0.2 s, timeout 0.2 s, down 3, up 3', timing: FAST, rounds: Number(process.env.FAILOVER_ROUNDS ?? 5), moveBoundMs: 10_000, returnBoundMs: 10_000 },
  { key: 'mwan3 defaults', label: 'interval 10 s, timeout 4 s, down 5, up 5', timing: MWAN3, rounds: 1, moveBoundMs: 95_000, returnBoundMs: 75_000 },
].filter((p) => !process.env.FAILOVER_PROFILES || process.env.FAILOVER_PROFILES.split(',').includes(p.key));

const topo = defaultTopology();
const dead = topo.wans[0]!.name;

/** a flow's first packet counts as lost only after this (traffic-main's replyTimeoutMs + margin) */
const LOSS_KNOWN_MS = 1000;
/** timeToMove's settle window */
const SETTLE_MS = 1000;

/**
 * Polls timeToMove until its answer is final: a loss is only reported replyTimeoutMs after the
 * packet was sent, so an answer is trusted once its settle window ended LOSS_KNOWN_MS ago.
 */
async function waitMoved(s: LabSession, faultAt: number, boundMs: number): Promise<number | undefined> {
  const until = s.now() + boundMs + SETTLE_MS + LOSS_KNOWN_MS;
  while (s.now() < until) {
    const v = timeToMove(s.events, faultAt, dead, SETTLE_MS);
    if (v !== undefined && s.now() > faultAt + v + SETTLE_MS + LOSS_KNOWN_MS) return v <= boundMs ? v : undefined;
    await sleep(100);
  }
  return undefined;
}

async function waitReturned(s: LabSession, healAt: number, boundMs: number): Promise<number | undefined> {
  const until = s.now() + boundMs;
  while (s.now() < until) {
    const v = timeToReturn(s.events, healAt, dead);
    if (v !== undefined) return v;
    await sleep(100);
  }
  return undefined;
}

/** time from `at` until mwand announced `wan` in `state` (mwan.interface event) */
function announced(s: LabSession, at: number, state: string): number | undefined {
  const e = s.busEvents.find((x) => x.t >= at && x.type === 'mwan.interface' && x.data?.interface === dead && x.data?.state === state);
  return e ? e.t - at : undefined;
}

async function allOnline(s: LabSession, boundMs: number): Promise<boolean> {
  const until = Date.now() + boundMs;
  while (Date.now() < until) {
    const st = await s.stack.wanStatus();
    if (topo.wans.every((w) => st.get(w.name)?.state === 'online')) return true;
    await sleep(200);
  }
  return false;
}

const results = new Map<string, { move: number[]; ret: number[]; detect: number[]; recover: number[]; lost: number[]; anomalies: number }>();
let failed = 0;
// the profiles run side by side (separate namespaces), so the slow one does not double the run time
async function runProfile(p: Profile): Promise<void> {
  const r = { move: [] as number[], ret: [] as number[], detect: [] as number[], recover: [] as number[], lost: [] as number[], anomalies: 0 };
  results.set(p.key, r);
  const budget = 8000 + p.rounds * (p.moveBoundMs + p.returnBoundMs + 4000);
  note(`${p.key} (${p.label}): starting the lab, ${p.rounds} round(s), at most ${(budget / 1000).toFixed(0)} s`);
  const s = await startLab(topo, budget, { timing: p.timing, prefix: 'mwfb' });
  try {
    if (!(await allOnline(s, 15_000))) throw new Error('the trackers did not report every WAN online within 15 s');
    await sleep(1500); // flows on every WAN
    if (!s.events.some((e) => e.kind === 'reply')) throw new Error('no LAN traffic answered');
    const delayed = new Set<string>();
    for (let k = 0; k < p.rounds; k++) {
      const faultAt = s.now();
      applyAction(s, topo, { kind: 'down', wan: dead }, delayed);
      const move = await waitMoved(s, faultAt, p.moveBoundMs);
      const detect = announced(s, faultAt, 'offline');
      const lost = s.events.filter((e) => e.first && e.kind === 'lost' && e.t >= faultAt).length;
      if (move === undefined) { note(`${p.key} round ${k + 1}: traffic did not move within ${p.moveBoundMs} ms`); failed++; }
      else if (detect === undefined || move < detect - 5000) {
        // traffic left the dead WAN although mwand never took it out: not a failover, do not count it
        note(`${p.key} round ${k + 1}: new flows left ${dead} at ${move.toFixed(0)} ms but mwand announced offline ${detect === undefined ? 'never' : `only at ${detect.toFixed(0)} ms`}: round not counted`);
        r.anomalies++;
      } else r.move.push(move);
      if (detect !== undefined) r.detect.push(detect);
      r.lost.push(lost);
      await sleep(500);
      const healAt = s.now();
      applyAction(s, topo, { kind: 'heal', wan: dead }, delayed);
      const ret = await waitReturned(s, healAt, p.returnBoundMs);
      const recover = announced(s, healAt, 'online');
      if (ret === undefined) { note(`${p.key} round ${k + 1}: no new flow on ${dead} within ${p.returnBoundMs} ms`); failed++; }
      else r.ret.push(ret);
      if (recover !== undefined) r.recover.push(recover);
      note(`${p.key} round ${k + 1}: moved ${move ?? 'never'} ms (mwand offline at ${detect ?? '?'} ms, ${lost} new flows lost), back ${ret ?? 'never'} ms (online at ${recover ?? '?'} ms)`);
      if (process.env.FAILOVER_DEBUG) {
        for (const e of s.busEvents.filter((x) => x.t >= faultAt)) note(`${p.key}  +${(e.t - faultAt).toFixed(0)} ${e.type} ${JSON.stringify(e.data).slice(0, 160)}`);
        for (const l of s.stack.log.slice(-60)) note(`${p.key} log: ${l}`);
      }
      if (k + 1 < p.rounds) {
        if (!(await allOnline(s, 10_000))) throw new Error('WANs not all online again');
        await sleep(1000);
      }
    }
  } catch (err) {
    note(`${p.key}: ${err instanceof Error ? err.message : String(err)}`);
    for (const l of s.stack.log.slice(-20)) note(`  ${l}`);
    failed++;
  } finally {
    await stopLab(s);
  }
  const n = r.move.length;
  if (n) figure(`link death → all new LAN flows on the other WANs, ${p.key} (${p.label}), p50 of ${n}`, median(r.move), 'ms');
  if (n > 1) figure(`link death → new flows moved, ${p.key}, max of ${n}`, Math.max(...r.move), 'ms');
  if (r.detect.length) figure(`link death → mwand announces offline (mwan.interface), ${p.key}, p50`, median(r.detect), 'ms');
  if (r.lost.length) figure(`new LAN flows lost per failover (1 flow / 50 ms), ${p.key}, p50`, median(r.lost), 'flows');
  if (r.ret.length) figure(`link heals → first new flow back on it (failback), ${p.key}, p50 of ${r.ret.length}`, median(r.ret), 'ms');
  if (r.recover.length) figure(`link heals → mwand announces online, ${p.key}, p50`, median(r.recover), 'ms');
  if (r.anomalies) figure(`rounds where new flows left the dead WAN before mwand took it out, ${p.key}`, r.anomalies, 'rounds');
}
await Promise.all(profiles.map(runProfile));
const fast = results.get('fast');
const slow = results.get('mwan3 defaults');
if (fast?.move.length && slow?.move.length) figure('failover time, mwan3 defaults / fast profile (same run)', median(slow.move) / median(fast.move), 'x');

const w = Math.max(...rows.map((x) => x.metric.length));
process.stdout.write(`\n${'figure'.padEnd(w)}  value\n`);
for (const x of rows) process.stdout.write(`${x.metric.padEnd(w)}  ${x.value} ${x.unit}\n`);
process.exit(failed ? 1 : 0);
