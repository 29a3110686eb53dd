/**
 * watch: a per-WAN table (state, latency, jitter, loss, traffic share) above `mwan status`,
 * refreshed on every mwan.* event and at least every --interval seconds; --count N stops after
 * N screens (for scripts and tests).
 *
 * Figures: each tracker's `mwan.track.<iface> status` (latency = average RTT of its targets,
 * jitter, loss over its window); when a tracker does not answer, mwand's `interfaces` figures
 * (latency and loss of the last `mwan.track` event, no jitter). Traffic share: the policies'
 * percentages per WAN (the configured split) and the measured share of new connections per WAN
 * since the previous screen, from the conntrack marks the dataplane sets (conntrack-share.ts;
 * the nft table keeps no per-WAN counters). docs/ubus-api.md, "watch".
 */
import type { UbusClient } from 'ubus-ts';
import { CliError, ExitCode, callMwan, openBus, printJson } from './context.js';
import { renderStatus } from './show.js';
import { conntrackReader, countNew, type ConntrackReader, type NewConnections, type WanMark } from './conntrack-share.js';
import type { MwandCommand } from './types.js';

type Rec = Record<string, unknown>;

/** One WAN's row. */
export interface WatchRow {
  interface: string;
  status: string;
  device: string | null;
  latency_ms: number | null;
  jitter_ms: number | null;
  loss_pct: number | null;
  /** where the figures come from: the tracker's status, mwand's last event, or none */
  figures: 'tracker' | 'mwand' | 'none';
  /** policy shares carried by this WAN: "policy percent%" (ipv6 marked "(v6)") */
  share: { policy: string; family: 'ipv4' | 'ipv6'; percent: number }[];
  /** new connections via this WAN since the previous screen (null: not measured) */
  new_connections: number | null;
  /** its share of the new connections via any WAN, % (null: not measured or none at all) */
  measured_pct: number | null;
}

/** The measurement behind the "new conns" column, for the note under the table. */
export type Measurement = { kind: 'off' } | { kind: 'first' } | { kind: 'failed'; error: string } | { kind: 'done'; seconds: number; counts: NewConnections };

export function measurementNote(m: Measurement): string {
  switch (m.kind) {
    case 'off':
      return 'new conns: not measured (--no-conntrack)';
    case 'first':
      return 'new conns: measured from the next refresh on (conntrack marks)';
    case 'failed':
      return `new conns: not available (${m.error}); the policy share is the configured split only`;
    case 'done':
      return `new conns: measured over ${m.seconds.toFixed(1)} s from conntrack marks: ${m.counts.total} via a WAN, ${m.counts.other} other (main table, unmarked, local)`;
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Builds the rows from mwand's `interfaces` and `policies` replies and the trackers' `status` replies (pure). */
export function watchRows(interfaces: Rec, policies: Rec, trackers: Record<string, Rec | undefined>, measured?: NewConnections): WatchRow[] {
  const rows: WatchRow[] = [];
  for (const [name, raw] of Object.entries(interfaces)) {
    const i = (raw ?? {}) as Rec;
    const t = trackers[name];
    const fromTracker = t !== undefined && (num(t.latency_ms) !== null || num(t.loss_pct) !== null);
    const fromMwand = !fromTracker && (num(i.latency_ms) !== null || num(i.loss_pct) !== null);
    const share: WatchRow['share'] = [];
    for (const [policy, fams] of Object.entries(policies)) {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const r = ((fams as Rec)?.[family] ?? {}) as Rec;
        for (const m of (r.members as Rec[] | undefined) ?? []) {
          if (m.interface === name && typeof m.percent === 'number' && m.percent > 0) share.push({ policy, family, percent: m.percent });
        }
      }
    }
    rows.push({
      interface: name,
      status: typeof i.status === 'string' ? i.status : 'unknown',
      device: typeof i.device === 'string' ? i.device : null,
      latency_ms: fromTracker ? num(t!.latency_ms) : fromMwand ? num(i.latency_ms) : null,
      jitter_ms: fromTracker ? num(t!.jitter_ms) : null,
      loss_pct: fromTracker ? num(t!.loss_pct) : fromMwand ? num(i.loss_pct) : null,
      figures: fromTracker ? 'tracker' : fromMwand ? 'mwand' : 'none',
      share,
      new_connections: measured ? (measured.perWan[name] ?? 0) : null,
      measured_pct: measured && measured.total > 0 ? Math.round((100 * (measured.perWan[name] ?? 0)) / measured.total) : null,
    });
  }
  return rows;
}

function ms(v: number | null): string {
  // the tracker's "no answer at all" latency (999999) is not a latency
  if (v === null || v >= 999_999) return '-';
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

/** The table, fixed columns (pure). */
export function formatWatchTable(rows: readonly WatchRow[], m: Measurement): string {
  const head = ['interface', 'state', 'latency', 'jitter', 'loss', 'new conns', 'policy share'];
  const body = rows.map((r) => [
    r.interface,
    r.status,
    ms(r.latency_ms),
    ms(r.jitter_ms),
    r.loss_pct === null ? '-' : `${Math.round(r.loss_pct)} %`,
    r.new_connections === null ? '-' : r.measured_pct === null ? `${r.new_connections}` : `${r.measured_pct}% (${r.new_connections})`,
    r.share.length === 0 ? '-' : r.share.map((s) => `${s.policy} ${s.percent}%${s.family === 'ipv6' ? ' (v6)' : ''}`).join(', '),
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((b) => b[k]!.length)));
  const line = (cells: string[]): string => cells.map((c, k) => (k === cells.length - 1 ? c : c.padEnd(widths[k]!))).join('  ') + '\n';
  return line(head) + body.map(line).join('') + `(${measurementNote(m)})\n`;
}

function parse(args: string[]): { count: number; intervalMs: number; conntrack: string | null } {
  let count = Infinity;
  let intervalMs = 2000;
  let conntrack: string | null = 'conntrack';
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const v = args[k + 1];
    if ((a === '--count' || a === '-n') && v !== undefined && /^\d+$/.test(v) && Number(v) > 0) {
      count = Number(v);
      k++;
    } else if ((a === '--interval' || a === '-i') && v !== undefined && /^\d+(\.\d+)?$/.test(v) && Number(v) > 0) {
      intervalMs = Number(v) * 1000;
      k++;
    } else if (a === '--conntrack' && v !== undefined && v !== '') {
      conntrack = v;
      k++;
    } else if (a === '--no-conntrack') conntrack = null;
    else throw new CliError(ExitCode.USAGE, `mwan watch: bad argument "${a}". Usage: mwan watch [--count N] [--interval SECONDS] [--conntrack PATH | --no-conntrack]`);
  }
  return { count, intervalMs, conntrack };
}

/** Keeps the previous conntrack snapshot; each call measures the new connections since then. */
export function shareMeter(read: ConntrackReader | null, now: () => number = Date.now): (wans: Record<string, WanMark>) => Promise<Measurement> {
  let prev: { keys: Set<string>; at: number } | undefined;
  return async (wans) => {
    if (!read) return { kind: 'off' };
    let entries;
    const at = now();
    try {
      entries = await read();
    } catch (err) {
      prev = undefined;
      return { kind: 'failed', error: (err as Error).message };
    }
    const before = prev;
    prev = { keys: new Set(entries.map((e) => e.key)), at };
    if (!before) return { kind: 'first' };
    return { kind: 'done', seconds: (at - before.at) / 1000, counts: countNew(before.keys, entries, wans) };
  };
}

function wanMarks(interfaces: Rec): Record<string, WanMark> {
  const out: Record<string, WanMark> = {};
  for (const [name, raw] of Object.entries(interfaces)) {
    const i = (raw ?? {}) as Rec;
    if (typeof i.mark === 'number' && typeof i.mark_mask === 'number') out[name] = { mark: i.mark, mask: i.mark_mask };
  }
  return out;
}

/** Each tracker's status, undefined for one that does not answer (not running, no object). */
async function trackerFigures(bus: UbusClient, names: string[]): Promise<Record<string, Rec | undefined>> {
  const out: Record<string, Rec | undefined> = {};
  await Promise.all(
    names.map(async (n) => {
      out[n] = await bus.call(`mwan.track.${n}`, 'status', {}, { timeoutMs: 2000 }).then(
        (r) => (r ?? undefined) as Rec | undefined,
        () => undefined,
      );
    }),
  );
  return out;
}

export const watch: MwandCommand = {
  name: 'watch',
  args: '[--count N] [--interval S] [--conntrack PATH|--no-conntrack]',
  help: 'Per-WAN state, latency, jitter, loss and traffic share, then status; refreshed live',
  async run(args, ctx) {
    const { count, intervalMs, conntrack } = parse(args);
    const meter = shareMeter(conntrack === null ? null : conntrackReader(conntrack));
    const bus = await openBus(ctx);
    let wake: (() => void) | undefined;
    const stopListen = await bus.listen('mwan.*', () => wake?.());
    const tty = (ctx.stdout as { isTTY?: boolean }).isTTY === true;
    try {
      for (let n = 0; n < count; n++) {
        const s = { status: await callMwan(bus, 'status'), policies: await callMwan(bus, 'policies'), rules: await callMwan(bus, 'rules') };
        const ifaces = ((await callMwan(bus, 'interfaces')).interfaces ?? {}) as Rec;
        const m = await meter(wanMarks(ifaces));
        const rows = watchRows(ifaces, (s.policies.policies ?? {}) as Rec, await trackerFigures(bus, Object.keys(ifaces)), m.kind === 'done' ? m.counts : undefined);
        if (ctx.json) printJson(ctx, { ...s.status, policies: s.policies.policies, rules: s.rules.rules, wans: rows, measurement: measurementNote(m) });
        else ctx.stdout.write(`${tty ? '\x1b[H\x1b[2J' : n > 0 ? '\n' : ''}mwan status at ${new Date().toISOString()}\n\n${formatWatchTable(rows, m)}\n${renderStatus(s)}`);
        if (n + 1 >= count) break;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, intervalMs);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      await stopListen().catch(() => {});
      await bus.close().catch(() => {});
    }
    return ExitCode.OK;
  },
};
