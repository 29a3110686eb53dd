/**
 * Runs the lab: builds the namespaces, starts the router's software, drives LAN traffic, plays
 * the story step by step with a live view, checks every expectation and prints a summary.
 */
import type { ChildProcess } from 'node:child_process';
import { buildNetwork, type LabNet } from './network.js';
import { applyFault } from './faults.js';
import { delayRuleset } from './responder.js';
import { spawnNode, nextLine } from './processes.js';
import { windowStats, timeToMove, timeToReturn, type Observed } from './metrics.js';
import { renderRows, renderSummary, type SummaryRow, type WanRow } from './view.js';
import { RouterStack, type StackOptions, type WanStatus } from './stack.js';
import { LAB_TIMING, type TrackTiming } from './lab-config.js';
import { wanBySource, type Topology } from './topology.js';
import type { Expectation, Step, StepAction } from './story.js';

export interface RunOptions {
  topo: Topology;
  story: Step[];
  out: (text: string) => void;
  /** redraw the live view in place (TTY) or print a line per second */
  live: boolean;
}

export interface BusEvent {
  t: number;
  type: string;
  data: any;
}

/** One line for the bus events worth showing live. */
function describeEvent(e: BusEvent, since: number): string | null {
  const d = e.data ?? {};
  const at = `+${((e.t - since) / 1000).toFixed(2)}s`;
  if (e.type === 'mwan.interface') return d.action === 'update' ? null : `  ${at}  mwan.interface ${d.interface}: ${d.action} (state ${d.state})`;
  if (e.type === 'mwan.policy') {
    // a policy holds members of one family; show the family that carries traffic, else the last resort
    const fams = ['ipv4', 'ipv6'].map((f) => d.shares?.[f]).filter((v) => v !== undefined);
    const fam = fams.find(Array.isArray) ?? fams[0];
    const shares = Array.isArray(fam) ? fam.map((m: any) => `${m.interface} ${m.percent}%`).join(', ') : String(fam);
    return `  ${at}  mwan.policy ${d.policy}: ${shares}`;
  }
  if (e.type === 'mwan.hook' || e.type === 'mwan.reload') return `  ${at}  ${e.type} ${JSON.stringify(d)}`;
  return null;
}

export interface LabSession {
  net: LabNet;
  stack: RouterStack;
  responder: ChildProcess;
  traffic: ChildProcess;
  traffic6: ChildProcess;
  /** IPv4 flow events (a new flow every 50 ms) */
  events: Observed[];
  /** IPv6 flow events (a new flow every 200 ms) */
  events6: Observed[];
  /** mwan.* events seen on the router's bus (interface state changes, policy shares, reloads) */
  busEvents: BusEvent[];
  t0: number;
  now(): number;
}

/** What a test may change; the lab's own run uses none of these. */
export interface LabOptions extends StackOptions {
  /** tracking timing for the generated config (ignored when `config` is given) */
  timing?: TrackTiming;
  /** namespace name prefix (default mwl) */
  prefix?: string;
}

export async function startLab(topo: Topology, totalMs: number, opts: LabOptions = {}): Promise<LabSession> {
  const net = buildNetwork(topo, opts.prefix ?? 'mwl');
  try {
    const stack = new RouterStack(net.lab, net.router, topo, opts.timing ?? LAB_TIMING, { config: opts.config, env: opts.env });
    const responder = spawnNode(net.lab, net.inet, 'responder-main.js', [String(topo.servicePort), topo.serviceV4, topo.serviceV6], () => {});
    await nextLine(responder, (j) => j.ready);
    await stack.up();
    const busEvents: BusEvent[] = [];
    const t0ref = { t0: 0 };
    await stack.agent().listen('mwan.*', (type, data) => busEvents.push({ t: performance.now() - t0ref.t0, type, data }));
    const events: Observed[] = [];
    const events6: Observed[] = [];
    // A traffic process stamps its events from its own start, which comes after t0 (node
    // start-up, 0.2-0.8 s): put them on the session clock. A reply is stamped when it arrives,
    // so the smallest (arrival here - its stamp) is that process's lag (the pipe only adds).
    const collect = (into: Observed[], family: 'ipv4' | 'ipv6') => {
      let lag = Infinity;
      return (e: Observed) => {
        if (e.kind === 'reply') lag = Math.min(lag, performance.now() - t0ref.t0 - e.t);
        if (Number.isFinite(lag)) e.t += lag;
        add(into, family, e);
      };
    };
    const add = (into: Observed[], family: 'ipv4' | 'ipv6', e: Observed): void => {
      if (e.kind === 'reply') e.wan = wanBySource(topo, e.via)?.name;
      e.family = family;
      into.push(e);
    };
    const traffic = spawnNode(net.lab, net.lan, 'traffic-main.js', [topo.serviceV4, String(topo.servicePort), String(totalMs)], collect(events, 'ipv4'));
    const traffic6 = spawnNode(net.lab, net.lan, 'traffic-main.js', [topo.serviceV6, String(topo.servicePort), String(totalMs), '200'], collect(events6, 'ipv6'));
    const t0 = performance.now();
    t0ref.t0 = t0;
    return { net, stack, responder, traffic, traffic6, events, events6, busEvents, t0, now: () => performance.now() - t0 };
  } catch (err) {
    await net.lab.destroy();
    throw err;
  }
}

export async function stopLab(s: LabSession): Promise<void> {
  s.traffic.stdin?.end();
  s.traffic6.stdin?.end();
  s.responder.stdin?.end();
  await s.stack.down();
  await s.net.lab.destroy();
}

function setDelay(s: LabSession, source: string, ms: number, delayed: Set<string>): void {
  if (ms > 0) delayed.add(source); else delayed.delete(source);
  s.responder.stdin!.write(JSON.stringify({ delay: { [source]: ms } }) + '\n');
  s.net.inet.nft(delayRuleset([...delayed]));
}

export function applyAction(s: LabSession, topo: Topology, a: StepAction, delayed: Set<string>): void {
  const w = topo.wans.find((x) => x.name === a.wan)!;
  const isp = s.net.isps.get(a.wan)!;
  switch (a.kind) {
    case 'down':
      applyFault(isp, { kind: 'down' });
      break;
    case 'heal':
      applyFault(isp, { kind: 'up' });
      setDelay(s, w.upstreamV4.isp, 0, delayed);
      break;
    case 'degrade':
      applyFault(isp, { kind: 'loss', percent: a.lossPercent });
      setDelay(s, w.upstreamV4.isp, a.delayMs, delayed);
      break;
  }
}

function rows(topo: Topology, status: Map<string, WanStatus>, shares: Record<string, number>): WanRow[] {
  return topo.wans.map((w) => ({
    name: w.name,
    label: w.label,
    state: status.get(w.name)?.state ?? '?',
    latencyMs: status.get(w.name)?.latencyMs ?? null,
    lossPercent: status.get(w.name)?.lossPercent ?? null,
    share: shares[w.name] ?? 0,
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plays the story; returns the summary rows (ok=false for any failed expectation). */
export async function playStory(s: LabSession, opts: RunOptions): Promise<SummaryRow[]> {
  const { topo, story, out } = opts;
  const summary: SummaryRow[] = [];
  const delayed = new Set<string>();
  const wanNames = topo.wans.map((w) => w.name);
  await sleep(1500); // let trackers settle and flows start
  for (const [i, step] of story.entries()) {
    out(`\n── step ${i + 1}/${story.length}: ${step.title}`);
    const at = s.now();
    for (const a of step.actions) applyAction(s, topo, a, delayed);
    const peak = new Map<string, WanStatus>();
    let last = new Map<string, WanStatus>();
    let lines = 0;
    let seen = s.busEvents.length;
    while (s.now() - at < step.durationMs) {
      await sleep(1000);
      const fresh = s.busEvents.slice(seen).map((e) => describeEvent(e, at)).filter((x): x is string => x !== null);
      seen = s.busEvents.length;
      if (fresh.length) { out(fresh.join('\n')); lines = 0; }
      last = await s.stack.wanStatus();
      for (const [n, st] of last) {
        const p = peak.get(n);
        peak.set(n, {
          state: st.state,
          latencyMs: Math.max(p?.latencyMs ?? 0, st.latencyMs ?? 0) || st.latencyMs,
          lossPercent: Math.max(p?.lossPercent ?? 0, st.lossPercent ?? 0) || st.lossPercent,
        });
      }
      const w = windowStats(s.events, s.now() - 1000, s.now(), wanNames);
      const w6 = windowStats(s.events6, s.now() - 1000, s.now(), wanNames);
      const text = `  t=${((s.now() - at) / 1000).toFixed(0)}s  IPv4 flows answered ${w.flows}, lost packets ${w.lost}; IPv6 flows answered ${w6.flows}, lost ${w6.lost}\n${renderRows(rows(topo, last, w.shares))}`;
      if (opts.live && lines) out(`\x1b[${lines}A\x1b[J` + text);
      else out(text);
      lines = text.split('\n').length;
    }
    const end = s.now();
    const tailFrom = end - Math.min(2500, step.durationMs / 2);
    const tail = windowStats(s.events, tailFrom, end, wanNames);
    const tail6 = windowStats(s.events6, tailFrom, end, wanNames);
    for (const e of step.expect) summary.push(check(e, { step: `${i + 1}`, events: s.events, at, tail, tail6, status: last, peak, topo }));
  }
  return summary;
}

interface CheckCtx {
  step: string;
  events: Observed[];
  at: number;
  tail: ReturnType<typeof windowStats>;
  tail6: ReturnType<typeof windowStats>;
  status: Map<string, WanStatus>;
  peak: Map<string, WanStatus>;
  topo: Topology;
}

function check(e: Expectation, c: CheckCtx): SummaryRow {
  const label = (w: string) => c.topo.wans.find((x) => x.name === w)?.label ?? w;
  switch (e.kind) {
    case 'share': {
      const w = e.family === 'ipv6' ? c.tail6 : c.tail;
      const v = w.shares[e.wan] ?? 0;
      const ok = (e.min === undefined || v >= e.min) && (e.max === undefined || v <= e.max);
      const range = `${e.min !== undefined ? `≥${(e.min * 100).toFixed(0)}%` : ''}${e.min !== undefined && e.max !== undefined ? ' ' : ''}${e.max !== undefined ? `≤${(e.max * 100).toFixed(0)}%` : ''}`;
      const ok6 = ok && w.flows > 0;
      return { step: `${c.step} ${e.family === 'ipv6' ? 'IPv6 ' : ''}share ${label(e.wan)}`, measured: `${(v * 100).toFixed(0)}% of ${w.flows} flows`, ok: ok6, detail: `want ${range}` };
    }
    case 'state': {
      const st = c.status.get(e.wan)?.state ?? 'unknown';
      return { step: `${c.step} state ${label(e.wan)}`, measured: st, ok: st === e.state, detail: `want ${e.state}` };
    }
    case 'moved': {
      const t = timeToMove(c.events, c.at, e.from);
      return { step: `${c.step} fault → traffic moved`, measured: t === undefined ? 'never' : `${(t / 1000).toFixed(2)} s`, ok: t !== undefined && t <= e.withinMs, detail: `want ≤ ${(e.withinMs / 1000).toFixed(1)} s` };
    }
    case 'returned': {
      const t = timeToReturn(c.events, c.at, e.to);
      return { step: `${c.step} heal → new flows back on ${label(e.to)}`, measured: t === undefined ? 'never' : `${(t / 1000).toFixed(2)} s`, ok: t !== undefined && t <= e.withinMs, detail: `want ≤ ${(e.withinMs / 1000).toFixed(1)} s` };
    }
    case 'latency': {
      const v = c.peak.get(e.wan)?.latencyMs ?? null;
      return { step: `${c.step} latency ${label(e.wan)}`, measured: v === null ? 'n/a' : `${v.toFixed(0)} ms`, ok: v !== null && v >= e.minMs, detail: `want ≥ ${e.minMs} ms` };
    }
    case 'loss': {
      const v = c.peak.get(e.wan)?.lossPercent ?? null;
      return { step: `${c.step} loss ${label(e.wan)}`, measured: v === null ? 'n/a' : `${v.toFixed(0)}%`, ok: v !== null && v >= e.minPercent, detail: `want ≥ ${e.minPercent}%` };
    }
  }
}

export { renderSummary };
