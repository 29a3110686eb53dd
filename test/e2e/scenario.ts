/**
 * Shared pieces of the end-to-end scenarios: one lab per test file (namespaces, router stack,
 * LAN flows answered by the internet responder), and what the scenarios measure from the
 * packets that really crossed the namespaces (the WAN of a flow is the source address the
 * responder saw: wanBySource).
 */
import type { TestContext } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab, stopLab, applyAction, type LabSession, type LabOptions } from 'mwan-lab/run';
import { defaultTopology, wanBySource, type Topology } from 'mwan-lab/topology';
import { spawnNode, nextLine } from 'mwan-lab/processes';
import type { Observed } from 'mwan-lab/metrics';
import { waitUntil } from 'netns-kit';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The flow events of one traffic process on the lab's clock (s.now()). A traffic process counts
 * time from its own start, which under load comes a second or more after the lab spawned it;
 * the offset is measured from replies (their time is the moment of receipt) as they arrive.
 */
export class FlowLog {
  private readonly raw: Observed[] = [];
  private offset = Infinity;

  constructor(child: ChildProcess, topo: Topology, now: () => number, private readonly family: 'ipv4' | 'ipv6') {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let e: Observed;
      try { e = JSON.parse(line); } catch { return; }
      if (e.kind !== 'reply' && e.kind !== 'lost') return;
      e.family = this.family;
      if (e.kind === 'reply') {
        e.wan = wanBySource(topo, e.via)?.name;
        this.offset = Math.min(this.offset, now() - e.t);
      }
      this.raw.push(e);
    });
  }

  /** events so far, times on the lab's clock */
  events(): Observed[] {
    const off = Number.isFinite(this.offset) ? this.offset : 0;
    return this.raw.map((e) => ({ ...e, t: e.t + off }));
  }
}

export interface Scenario {
  s: LabSession;
  topo: Topology;
  /** IPv4 flow events (a new flow every 50 ms), on the lab's clock */
  v4(): Observed[];
  /** IPv6 flow events (a new flow every 200 ms), on the lab's clock */
  v6(): Observed[];
  /** the IPv4 and IPv6 flow events together */
  all(): Observed[];
  /** ubus call inside the router namespace */
  call(path: string, method: string, args?: object, timeoutMs?: number): Promise<any>;
  /** break / heal an uplink inside its ISP namespace */
  down(wan: string): void;
  heal(wan: string): void;
}

/**
 * Builds the lab and waits until every interface is online and the LAN flows are answered
 * through the balanced WANs. Torn down (processes and namespaces) after the test.
 */
export async function openLab(t: TestContext, opts: LabOptions = {}, trafficMs = 120_000): Promise<Scenario> {
  const topo = defaultTopology();
  const s = await startLab(topo, trafficMs, opts);
  t.after(async () => {
    // E2E_LOG=DIR keeps the router's process logs of each test file (for a failing scenario)
    if (process.env.E2E_LOG) writeFileSync(join(process.env.E2E_LOG, `${t.name.replace(/[^\w]+/g, '_')}.log`), s.stack.log.join('\n') + '\n');
    await stopLab(s);
  });
  const log4 = new FlowLog(s.traffic, topo, s.now, 'ipv4');
  const log6 = new FlowLog(s.traffic6, topo, s.now, 'ipv6');
  const delayed = new Set<string>();
  const call = (path: string, method: string, args: object = {}, timeoutMs = 3000) => s.stack.agent().call(path, method, args, timeoutMs);
  const sc: Scenario = {
    s,
    topo,
    v4: () => log4.events(),
    v6: () => log6.events(),
    all: () => [...log4.events(), ...log6.events()],
    call,
    down: (wan) => applyAction(s, topo, { kind: 'down', wan }, delayed),
    heal: (wan) => applyAction(s, topo, { kind: 'heal', wan }, delayed),
  };
  const names = topo.wans.flatMap((w) => [w.name, `${w.name}6`]);
  await waitUntil(async () => {
    const st = await statuses(sc).catch(() => ({}) as Record<string, string>);
    return names.every((n) => st[n] === 'online');
  }, 20_000, 200);
  await waitUntil(() => {
    const w = flowShares(sc.v4(), s.now() - 1500, s.now());
    return w.flows >= 5 && (w.shares.fibre ?? 0) > 0 && (w.shares.cable ?? 0) > 0;
  }, 20_000, 100);
  return sc;
}

/** mwand's status per interface (online, offline, ...). */
export async function statuses(sc: Scenario): Promise<Record<string, string>> {
  const r = await sc.call('mwan', 'status', { section: 'interfaces' });
  return Object.fromEntries(Object.entries((r?.interfaces ?? {}) as Record<string, { status: string }>).map(([k, v]) => [k, v.status]));
}

/** mwand's `interfaces` entry of one interface. */
export async function iface(sc: Scenario, name: string): Promise<Record<string, any>> {
  const r = await sc.call('mwan', 'interfaces', { interface: name });
  return r.interfaces[name];
}

/** Members carrying a policy's traffic for a family, as "wan:percent" strings, or the last resort. */
export async function policy(sc: Scenario, name: string, family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<string> {
  const r = await sc.call('mwan', 'policies');
  const c = r.policies[name]?.[family];
  if (!c) return 'none';
  return c.active === 'members' ? c.members.map((m: any) => `${m.interface}:${m.percent}`).join(',') : c.last_resort;
}

export interface FlowShares {
  /** WAN → fraction of the flows started in the window (answered at least once) it carried */
  shares: Record<string, number>;
  flows: number;
}

/** Shares of the flows whose first packet was sent in [from, to) and was answered. */
export function flowShares(events: readonly Observed[], from: number, to: number): FlowShares {
  const wanOf = new Map<number, string>();
  for (const e of events) if (e.kind === 'reply' && e.first && e.t >= from && e.t < to && e.wan) wanOf.set(e.flow, e.wan);
  const shares: Record<string, number> = {};
  for (const w of wanOf.values()) shares[w] = (shares[w] ?? 0) + 1;
  for (const k of Object.keys(shares)) shares[k] = shares[k]! / wanOf.size;
  return { shares, flows: wanOf.size };
}

export interface Loss {
  /** packets sent in the window (answered + lost) */
  sent: number;
  lost: number;
  /** lost packets per WAN the flow used (from its other answered packets); '?' = flow never answered */
  byWan: Record<string, number>;
  /** answered packets per WAN */
  answered: Record<string, number>;
  /** send times (ms after `from`) of the lost packets, per WAN as in byWan */
  times: Record<string, number[]>;
}

/**
 * Packets sent in [from, to), answered or lost. A lost packet counts for the WAN that answered
 * an earlier packet of the same flow ('?' when none had been answered yet: a flow that never got
 * through, or one re-routed after its first packets were dropped).
 */
export function loss(events: readonly Observed[], from: number, to: number): Loss {
  const key = (e: Observed) => `${e.family}/${e.flow}`;
  const firstReply = new Map<string, { t: number; wan: string }>();
  for (const e of events) {
    if (e.kind !== 'reply' || !e.wan) continue;
    const f = firstReply.get(key(e));
    if (!f || e.t < f.t) firstReply.set(key(e), { t: e.t, wan: e.wan });
  }
  const out: Loss = { sent: 0, lost: 0, byWan: {}, answered: {}, times: {} };
  for (const e of events) {
    if (e.t < from || e.t >= to) continue;
    out.sent++;
    if (e.kind === 'lost') {
      const f = firstReply.get(key(e));
      const w = f && f.t < e.t ? f.wan : '?';
      out.lost++;
      out.byWan[w] = (out.byWan[w] ?? 0) + 1;
      (out.times[w] ??= []).push(Math.round(e.t - from));
    } else {
      const w = e.wan ?? '?';
      out.answered[w] = (out.answered[w] ?? 0) + 1;
    }
  }
  return out;
}

/** Lost packets of flows that used one of `wans`, as a fraction of the packets sent on them. */
export function lossOn(l: Loss, wans: string[]): { lost: number; sent: number; ratio: number } {
  const lost = wans.reduce((n, w) => n + (l.byWan[w] ?? 0), 0);
  const sent = lost + wans.reduce((n, w) => n + (l.answered[w] ?? 0), 0);
  return { lost, sent, ratio: sent ? lost / sent : 0 };
}

export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * Whether a WAN's measured share of n random (numgen) decisions fits its configured weight.
 * Each new flow is an independent draw, so the measured share is binomial: the tolerance is the
 * larger of `floor` and four standard deviations for this many flows (a false alarm about once in
 * 15 000 checks), so a short window with few flows is not mistaken for a wrong ruleset.
 */
export function shareFits(sh: FlowShares, wan: string, expected: number, floor = 0.15): { ok: boolean; why: string } {
  const got = sh.shares[wan] ?? 0;
  const sd = Math.sqrt((expected * (1 - expected)) / Math.max(1, sh.flows));
  const tol = Math.max(floor, 4 * sd);
  return {
    ok: sh.flows > 0 && Math.abs(got - expected) <= tol,
    why: `${wan} ${pct(got)} of ${sh.flows} flows, expected ${pct(expected)} ± ${pct(tol)}: ${JSON.stringify(sh.shares)}`,
  };
}

/** Waits until `fn` resolves truthy; errors (e.g. mwand not answering yet) count as not yet. */
export function eventually<T>(fn: () => Promise<T> | T, timeoutMs: number, stepMs = 100): Promise<T> {
  return waitUntil(async () => {
    try {
      return await fn();
    } catch {
      return undefined as T;
    }
  }, timeoutMs, stepMs);
}

/** A further UDP service in the internet namespace (answers with the source it saw). */
export async function extraService(sc: Scenario, port: number, address: string): Promise<void> {
  if (!sc.s.net.inet.run(['ip', 'addr', 'show', 'dev', 'lo']).stdout.includes(` ${address}/`)) sc.s.net.inet.ip('addr', 'add', `${address}/32`, 'dev', 'lo');
  const r = spawnNode(sc.s.net.lab, sc.s.net.inet, 'responder-main.js', [String(port), address], () => {});
  await nextLine(r, (j) => j.ready);
}

/** Further LAN flows (a new one every `everyMs`) to target:port; bounded by durationMs. */
export function extraFlows(sc: Scenario, target: string, port: number, durationMs: number, everyMs: number): FlowLog {
  const child = spawnNode(sc.s.net.lab, sc.s.net.lan, 'traffic-main.js', [target, String(port), String(durationMs), String(everyMs)], () => {});
  return new FlowLog(child, sc.topo, sc.s.now, target.includes(':') ? 'ipv6' : 'ipv4');
}
