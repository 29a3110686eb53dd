/**
 * Dataplane benchmark, in its own network namespaces (root required):
 *   node packages/mwan-dataplane/dist/test/dataplane.bench.js
 * Figures: full plan+apply for 250 WANs / 1000 rules; one WAN verdict change at 2 and 250 WANs
 * (p50/p99); the same full ruleset applied one nft process per command (ratio); kernel changes
 * made by a no-op apply (must be 0). One JSON line per figure, then a table.
 */
import { performance } from 'node:perf_hooks';
import { canUseNetns, Lab, run, type Netns } from 'netns-kit';
import { createNftClient } from 'nft-json';
import { createApplier, createKernelBackend, diffNft, plan, type PlanConfig, type PlanState } from '../src/index.js';

interface Figure { metric: string; value: number; unit: string }
const figures: Figure[] = [];
function report(metric: string, value: number, unit: string): void {
  const f = { metric, value: Math.round(value * 100) / 100, unit };
  figures.push(f);
  console.log(JSON.stringify({ bench: 'dataplane', ...f }));
}

function bigConfig(nWans: number, nRules: number): PlanConfig {
  const interfaces = Array.from({ length: nWans }, (_, i) => ({ name: `w${i + 1}`, enabled: true, family: 'ipv4' as const }));
  const members = interfaces.flatMap((w, i) => [
    { name: `${w.name}_m1`, interface: w.name, metric: 1, weight: 1 + (i % 3) },
    { name: `${w.name}_m2`, interface: w.name, metric: 2, weight: 1 },
  ]);
  // 50 policies of 5 WANs each: two balanced at metric 1, three as metric-2 backups
  const nPol = Math.min(50, Math.max(1, Math.floor(nWans / 2)));
  const policies = Array.from({ length: nPol }, (_, p) => {
    const pick = (k: number) => interfaces[(p * 5 + k) % nWans]!.name;
    return { name: `p${p}`, members: [`${pick(0)}_m1`, `${pick(1)}_m1`, `${pick(2)}_m2`, `${pick(3)}_m2`, `${pick(4)}_m2`].filter((v, i, a) => a.indexOf(v) === i), lastResort: 'unreachable' as const };
  });
  const rules = Array.from({ length: nRules }, (_, i) => ({
    name: `r${i}`,
    policy: `p${i % nPol}`,
    family: 'ipv4' as const,
    proto: i % 2 ? 'tcp' : 'udp',
    destPort: [String(1000 + i)],
    srcIp: [`10.${(i >> 8) & 255}.${i & 255}.0/24`],
    ...(i % 10 === 0 ? { sticky: true, timeout: 600 } : {}),
  }));
  return { globals: { mmxMask: 0xff00, logging: false, loglevel: 'notice', rtTableLookup: [] }, interfaces, members, policies, rules };
}

function stateFor(nWans: number, offline?: string): PlanState {
  const wans: PlanState['wans'] = {};
  for (let i = 1; i <= nWans; i++) wans[`w${i}`] = { up: true, status: `w${i}` === offline ? 'offline' : 'online', device: `w${i}`, gateway: `100.64.${i >> 6}.${(i & 63) * 4 + 1}` };
  return { wans };
}

/** nWans veth devices with a /30 each, made with one ip batch. */
function makeDevices(ns: Netns, nWans: number): void {
  const lines: string[] = [];
  for (let i = 1; i <= nWans; i++) {
    lines.push(`link add w${i} type veth peer name p${i}`, `link set w${i} up`, `link set p${i} up`);
    lines.push(`addr add 100.64.${i >> 6}.${(i & 63) * 4 + 2}/30 dev w${i}`);
  }
  run(['ip', '-n', ns.name, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function verdictChanges(ns: Netns, nWans: number, nRules: number, rounds: number, trustCache: boolean): Promise<number[]> {
  const cfg = bigConfig(nWans, nRules);
  const applier = createApplier({ backend: createKernelBackend({ netns: ns.name }), trustCache });
  await applier.apply(plan(cfg, stateFor(nWans)));
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const st = stateFor(nWans, i % 2 === 0 ? 'w1' : undefined);
    const t0 = performance.now();
    const rep = await applier.apply(plan(cfg, st));
    times.push(performance.now() - t0);
    if (rep.changes === 0) throw new Error('verdict change produced no change');
  }
  return times;
}

async function main(): Promise<void> {
  if (!canUseNetns()) { console.error('dataplane bench needs root (network namespaces)'); process.exit(1); }
  const lab = new Lab('bench');
  try {
    const N = 250;
    const R = 1000;
    const big = lab.netns('big');
    makeDevices(big, N);
    const cfg = bigConfig(N, R);
    const backend = createKernelBackend({ netns: big.name });
    const applier = createApplier({ backend });

    let t0 = performance.now();
    const desired = plan(cfg, stateFor(N));
    const planMs = performance.now() - t0;
    const full = await applier.apply(desired);
    const fullMs = performance.now() - t0;
    report('full_plan_apply_250wans_1000rules', fullMs, 'ms');
    report('full_plan_only_250wans_1000rules', planMs, 'ms');
    report('full_apply_nft_commands', full.nftCommands, 'commands');
    report('full_apply_ip_changes', full.ipChanges, 'changes');

    const before = { ...backend.processes };
    t0 = performance.now();
    const noop = await applier.apply(plan(cfg, stateFor(N)));
    report('noop_apply_kernel_changes', noop.changes, 'changes');
    // a no-op apply only reads: 1 nft list + 4 ip reads, no process that changes anything
    report('noop_apply_change_processes', backend.processes.nft - before.nft - 1 + (backend.processes.ip - before.ip - 4), 'processes');
    report('noop_plan_apply_250wans', performance.now() - t0, 'ms');

    const small = lab.netns('small');
    makeDevices(small, 2);
    for (const [tag, trust] of [['full_read', false], ['trust_cache', true]] as const) {
      const v250 = await verdictChanges(big, N, R, 30, trust);
      report(`verdict_change_250wans_${tag}_p50`, pct(v250, 50), 'ms');
      report(`verdict_change_250wans_${tag}_p99`, pct(v250, 99), 'ms');
      const v2 = await verdictChanges(small, 2, 4, 30, trust);
      report(`verdict_change_2wans_${tag}_p50`, pct(v2, 50), 'ms');
      report(`verdict_change_2wans_${tag}_p99`, pct(v2, 99), 'ms');
    }

    // the same full ruleset, one nft process per command (how a per-rule shell script does it)
    const per = lab.netns('per');
    const cmds = diffNft(desired.nft, null).commands;
    const nft = createNftClient({ netns: per.name });
    t0 = performance.now();
    for (const c of cmds) await nft.apply([c], { locate: false });
    const perMs = performance.now() - t0;
    const one = lab.netns('one');
    const nft1 = createNftClient({ netns: one.name });
    t0 = performance.now();
    await nft1.apply(cmds);
    const oneMs = performance.now() - t0;
    report('nft_one_transaction_full_ruleset', oneMs, 'ms');
    report('nft_one_call_per_command_full_ruleset', perMs, 'ms');
    report('per_command_vs_one_transaction_ratio', perMs / oneMs, 'x');
  } finally {
    await lab.destroy();
  }
  console.log('\nmetric                                          value      unit');
  for (const f of figures) console.log(`${f.metric.padEnd(46)} ${String(f.value).padStart(10)}  ${f.unit}`);
}

await main();
