/**
 * The route monitor: keeps a model of the kernel's routes from rtnetlink (dump + notifications),
 * and after every batch of changes runs the pure planners and applies their output — route
 * writes into WAN tables over rtnetlink, element changes into the nft sets. Everything is
 * converged by diff, so a restart or a resync removes stale state and loses nothing.
 */
import { NetlinkRequestError } from './errors.js';
import { routeText } from './format.js';
import type { Family } from './netlink/ip.js';
import type { Rtnl } from './netlink/socket.js';
import type { RouteEntry, RtnlEvent } from './netlink/types.js';
import { desiredSets, diffSet, SET_NAMES, type SetName } from './plan/connected.js';
import { fingerprint, planMirror, tableKey, type RouteChange, type WanTable } from './plan/mirror.js';
import type { SetBackend } from './apply/nft-sets.js';
import type { NftChange } from './apply/nft-watch.js';
import { staleMwanTables, type IpRuleEntry } from './plan/stale.js';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What rtmon publishes (ubus event `mwan.rtmon`). */
export type RtmonEvent =
  | { what: 'route'; family: 'ipv4' | 'ipv6'; replaced: number; deleted: number; changes: string[] }
  | { what: 'connected'; family: 'ipv4' | 'ipv6'; set: SetName; added: string[]; removed: string[] };

export interface RtmonDeps {
  rtnl: Rtnl;
  sets: SetBackend;
  /** subscribes to nf_tables changes of our table (omit in tests without nft) */
  watchSets?: (cb: (c: NftChange) => void) => { close(): void };
  clock?: Clock;
  log?: (level: LogLevel, msg: string) => void;
  publish?: (ev: RtmonEvent) => void;
  /**
   * ip rules of both families; at start and every resync, tables that mwan's rules (pref
   * 1000+N / 2000+N lookup N) prove to be mwan's but no interface section owns are emptied
   * (left behind by an earlier run). Omitted: only tables known in this process are cleaned.
   */
  listRules?: () => Promise<IpRuleEntry[]>;
}

export interface RtmonStatus {
  started: number | undefined;
  wans: WanTable[];
  lookupTables: number[];
  mirrored: Record<'ipv4' | 'ipv6', number>;
  sets: Record<SetName, { present: boolean; elements: number }>;
  resyncs: number;
  routeWrites: number;
  setUpdates: number;
  errors: number;
  lastError: string | undefined;
}

const famName = (f: Family): 'ipv4' | 'ipv6' => (f === 4 ? 'ipv4' : 'ipv6');
/** how long nf_tables notifications are coalesced before the sets are re-read */
const SET_SETTLE_MS = 50;
const MAX_EVENT_LINES = 50;

export class Rtmon {
  private readonly routes = new Map<string, RouteEntry>();
  private readonly links = new Map<number, string>();
  private readonly lastWritten = new Map<string, string>();
  private readonly setsActual = new Map<SetName, Set<string> | undefined>();
  private wans: WanTable[] = [];
  private retired: WanTable[] = [];
  private lookupTables: number[] = [];
  private readonly clock: Clock;
  private started: number | undefined;
  private running = false;
  private again = false;
  private redumpNeeded = false;
  private setsStale = false;
  private setTimer: unknown;
  private idleWaiters: (() => void)[] = [];
  /** the running set update, if any; sets have their own lane so slow nft runs never delay routes */
  private setsLane: Promise<number> | undefined;
  private setsAgain = false;
  private watch: { close(): void } | undefined;
  private stopped = false;
  private counters = { resyncs: 0, routeWrites: 0, setUpdates: 0, errors: 0 };
  private lastError: string | undefined;

  constructor(private readonly deps: RtmonDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Subscribes, dumps, and converges once. */
  async start(wans: WanTable[], lookupTables: number[]): Promise<void> {
    this.wans = wans;
    this.lookupTables = lookupTables;
    this.deps.rtnl.onEvent((e) => this.onRtnl(e));
    this.watch = this.deps.watchSets?.((c) => this.onNft(c));
    this.started = this.clock.now();
    await this.resync();
  }

  stop(): void {
    this.stopped = true;
    if (this.setTimer !== undefined) this.clock.clearTimeout(this.setTimer);
    this.watch?.close();
  }

  /** New interface list / rt_table_lookup (config reload or a device change): converge by diff. */
  setWans(wans: WanTable[], lookupTables: number[]): void {
    const now = new Set(wans.map((w) => w.table));
    for (const w of this.wans) if (!now.has(w.table)) this.retired.push({ ...w, enabled: false });
    this.retired = this.retired.filter((w) => !now.has(w.table));
    this.wans = wans;
    this.lookupTables = lookupTables;
    this.schedule();
  }

  /** Re-reads everything from the kernel and nft, then converges. */
  async resync(): Promise<{ routeChanges: number; setChanges: number }> {
    return this.exclusive(async () => {
      this.counters.resyncs++;
      await this.redump();
      await this.claimStale();
      this.lastWritten.clear();
      this.setsStale = true;
      const routeChanges = await this.converge();
      const setChanges = await this.syncSets();
      return { routeChanges, setChanges };
    });
  }

  /** Resolves when no reconcile is running or queued (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.running || this.again || this.setsLane !== undefined) {
      if (this.running || this.again) await new Promise<void>((r) => this.idleWaiters.push(r));
      else await this.setsLane;
    }
  }

  status(): RtmonStatus {
    const mirrored = { ipv4: 0, ipv6: 0 };
    const tables = new Set(this.wans.map((w) => w.table));
    for (const r of this.routes.values()) if (tables.has(r.table) && r.dstLen > 0) mirrored[famName(r.family)]++;
    const sets = {} as RtmonStatus['sets'];
    for (const s of SET_NAMES) {
      const a = this.setsActual.get(s);
      sets[s] = { present: a !== undefined, elements: a?.size ?? 0 };
    }
    return { started: this.started, wans: this.wans.map((w) => ({ ...w })), lookupTables: [...this.lookupTables], mirrored, sets, ...this.counters, lastError: this.lastError };
  }

  /** Routes rtmon manages, per WAN table, as `ip route` lines. */
  tableRoutes(filter?: { wan?: string; table?: number }): { interface: string; table: number; family: Family; routes: string[] }[] {
    return this.wans
      .filter((w) => (filter?.wan === undefined || w.name === filter.wan) && (filter?.table === undefined || w.table === filter.table))
      .map((w) => ({
        interface: w.name, table: w.table, family: w.family,
        routes: [...this.routes.values()].filter((r) => r.table === w.table).map((r) => routeText(r, (i) => this.links.get(i))).sort(),
      }));
  }

  /** Desired connected/custom networks and whether each set exists. */
  connected(): { desired: Record<SetName, string[]>; present: Record<SetName, boolean> } {
    const present = {} as Record<SetName, boolean>;
    for (const s of SET_NAMES) present[s] = this.setsActual.get(s) !== undefined;
    return { desired: desiredSets(this.routes.values(), this.lookupTables), present };
  }

  private onRtnl(e: RtnlEvent): void {
    switch (e.kind) {
      case 'route':
        if (e.route.cloned) return;
        if (e.action === 'new') this.routes.set(tableKey(e.route.table, e.route), e.route);
        else this.routes.delete(tableKey(e.route.table, e.route));
        break;
      case 'link':
        if (e.action === 'del') { this.links.delete(e.link.index); this.redumpNeeded = true; } else {
          const wasUp = this.links.has(e.link.index);
          this.links.set(e.link.index, e.link.name);
          // IPv4 drops routes of a downed link without notifications: re-read them
          if (!e.link.up || !e.link.carrier || !wasUp) this.redumpNeeded = true;
        }
        break;
      case 'address':
        if (e.action === 'del') this.redumpNeeded = true;
        break;
      case 'overrun':
        this.redumpNeeded = true;
        break;
    }
    this.schedule();
  }

  private onNft(c: NftChange): void {
    if (c.kind !== 'table' && c.set !== undefined && !(SET_NAMES as readonly string[]).includes(c.set)) return;
    if (this.setTimer !== undefined) this.clock.clearTimeout(this.setTimer);
    this.setTimer = this.clock.setTimeout(() => {
      this.setTimer = undefined;
      this.setsStale = true;
      this.kickSets();
    }, SET_SETTLE_MS);
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    queueMicrotask(() => { void this.loop(); });
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        if (this.redumpNeeded) await this.redump();
        await this.converge();
        this.kickSets();
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Runs `fn` with the reconcile loop held off. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.running) await this.idle();
    this.running = true;
    try {
      return await fn();
    } finally {
      this.running = false;
      if (this.again) this.schedule();
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async redump(): Promise<void> {
    this.redumpNeeded = false;
    try {
      const [links, routes] = await Promise.all([this.deps.rtnl.dumpLinks(), this.deps.rtnl.dumpRoutes()]);
      this.links.clear();
      for (const l of links) this.links.set(l.index, l.name);
      this.routes.clear();
      for (const r of routes) if (!r.cloned) this.routes.set(tableKey(r.table, r), r);
    } catch (err) {
      this.fail('dump', err);
      this.redumpNeeded = true;
    }
  }

  /** Tables mwan's ip rules prove to be mwan's, owned by no interface now: emptied like a removed interface's. */
  private async claimStale(): Promise<void> {
    if (!this.deps.listRules) return;
    let rules: IpRuleEntry[];
    try {
      rules = await this.deps.listRules();
    } catch (err) {
      this.fail('list ip rules', err);
      return;
    }
    const owned = new Set([...this.wans, ...this.retired].map((w) => w.table));
    for (const table of staleMwanTables(rules, owned, new Set(this.lookupTables))) {
      this.deps.log?.('info', `table ${table}: mwan's ip rules point at it but no interface owns it; its mirrored routes are removed`);
      this.retired.push({ name: `(table ${table})`, table, family: 4, enabled: false });
    }
  }

  private async relistSets(): Promise<void> {
    this.setsStale = false;
    for (const s of SET_NAMES) {
      try {
        const list = await this.deps.sets.list(s);
        this.setsActual.set(s, list === undefined ? undefined : new Set(list));
      } catch (err) {
        this.fail(`list ${s}`, err);
        this.setsActual.set(s, undefined);
      }
    }
  }

  private ifindex = (device: string): number | undefined => {
    for (const [i, n] of this.links) if (n === device) return i;
    return undefined;
  };

  /** One pass over the WAN tables; returns the number of route writes done. */
  private async converge(): Promise<number> {
    const wans = [...this.wans, ...this.retired];
    const changes = planMirror({ wans, routes: this.routes.values(), lookupTables: this.lookupTables, ifindex: this.ifindex, lastWritten: this.lastWritten });
    const done: RouteChange[] = [];
    for (const c of changes) {
      if (this.stopped) break;
      if (await this.applyRoute(c)) done.push(c);
    }
    if (done.length === changes.length) this.retired = [];
    this.publishRoutes(done);
    return done.length;
  }

  /** Starts a set update unless one runs; a running one is asked to go once more. */
  private kickSets(): void {
    if (this.stopped) return;
    if (this.setsLane) { this.setsAgain = true; return; }
    void this.syncSets();
  }

  /** Brings every present set to the desired elements; serialized; returns element changes. */
  private async syncSets(): Promise<number> {
    while (this.setsLane) { this.setsAgain = true; await this.setsLane; }
    const run = (async (): Promise<number> => {
      let total = 0;
      do {
        this.setsAgain = false;
        if (this.setsStale) await this.relistSets();
        total += await this.updateSets();
      } while (this.setsAgain && !this.stopped);
      return total;
    })();
    this.setsLane = run;
    try {
      return await run;
    } finally {
      this.setsLane = undefined;
    }
  }

  private async updateSets(): Promise<number> {
    let setChanges = 0;
    const desired = desiredSets(this.routes.values(), this.lookupTables);
    for (const s of SET_NAMES) {
      const actual = this.setsActual.get(s);
      if (actual === undefined || this.stopped) continue;
      const d = diffSet(desired[s], [...actual]);
      if (d.add.length === 0 && d.del.length === 0) continue;
      try {
        await this.deps.sets.apply(s, d.add, d.del);
        for (const e of d.del) actual.delete(e);
        for (const e of d.add) actual.add(e);
        setChanges += d.add.length + d.del.length;
        this.counters.setUpdates++;
        this.deps.publish?.({ what: 'connected', family: s.endsWith('v4') ? 'ipv4' : 'ipv6', set: s, added: d.add, removed: d.del });
      } catch (err) {
        this.fail(`update ${s}`, err);
        this.setsStale = true; // re-read it before the next attempt
      }
    }
    return setChanges;
  }

  private async applyRoute(c: RouteChange): Promise<boolean> {
    const tk = tableKey(c.table, c.route);
    try {
      if (c.op === 'replace') {
        await this.deps.rtnl.replaceRoute(c.route, c.table);
        this.lastWritten.set(tk, fingerprint(c.route));
        this.routes.set(tk, { ...c.route, table: c.table });
      } else {
        await this.deps.rtnl.deleteRoute(c.route, c.table);
        this.lastWritten.delete(tk);
        this.routes.delete(tk);
      }
      this.counters.routeWrites++;
      this.deps.log?.('debug', `${c.op} table ${c.table} ${routeText(c.route, (i) => this.links.get(i))}`);
      return true;
    } catch (err) {
      this.lastWritten.delete(tk);
      this.fail(`${c.op} ${routeText(c.route, (i) => this.links.get(i))} table ${c.table} (${c.wan})`, err);
      return false;
    }
  }

  private publishRoutes(done: RouteChange[]): void {
    if (!this.deps.publish || done.length === 0) return;
    for (const f of [4, 6] as const) {
      const mine = done.filter((c) => c.route.family === f);
      if (mine.length === 0) continue;
      this.deps.publish({
        what: 'route', family: famName(f),
        replaced: mine.filter((c) => c.op === 'replace').length,
        deleted: mine.filter((c) => c.op === 'delete').length,
        changes: mine.slice(0, MAX_EVENT_LINES).map((c) => `${c.op} table ${c.table} ${routeText(c.route, (i) => this.links.get(i))}`),
      });
    }
  }

  private fail(what: string, err: unknown): void {
    this.counters.errors++;
    const msg = `${what}: ${err instanceof NetlinkRequestError && err.errno ? err.errno : err instanceof Error ? err.message : String(err)}`;
    this.lastError = msg;
    this.deps.log?.('warn', msg);
  }
}
