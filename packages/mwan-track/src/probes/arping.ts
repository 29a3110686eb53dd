/**
 * ARP prober (`track_method arping`, `nping-arp`), IPv4 only. Node has no AF_PACKET socket, so the
 * ARP requests come from ONE long-lived `arping -I <device> [-s <src>] <target>` per target
 * (iputils-arping or busybox: one request a second, one line per reply), spawned with an argument
 * array, not a fork per probe. arping prints no sequence numbers, so replies are matched by time:
 * the prober opens `count` requests per round, one a second (arping's pace), and each reply line
 * answers the oldest request still open (open = younger than `timeout`); its RTT is the one
 * arping measured. Replies while no request is open are dropped.
 * The helper is restarted when it dies (backoff 1 s doubling to 30 s), restarted at once after a
 * round with no reply at all (a fresh arping broadcasts first: the neighbour's MAC may have
 * changed, and an arping that went unicast would never see it), re-spawned when the device or
 * source address changes, and killed by close().
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { isIPv4 } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { monotonicClock, type Clock } from '../clock.js';
import { ProbeSetupError } from '../errors.js';
import type { TargetResult } from '../machine.js';
import type { AttemptPlan, ProbeBinding, Prober } from './types.js';

/** arping's request interval (both iputils' and busybox's default; iputils takes whole seconds only) */
export const ARPING_INTERVAL_MS = 1000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** a helper that lived this long is healthy: the next death restarts after BACKOFF_MIN_MS again */
const HEALTHY_MS = 10_000;

export interface ArpingReply {
  from: string;
  mac: string;
  rttMs: number;
}

const REPLY = /^(?:Unicast|Broadcast) reply from (\d{1,3}(?:\.\d{1,3}){3}) \[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\]\s+(\d+(?:\.\d+)?)ms\b/;

/** One line of arping's output → a reply, or null (header, summary, anything else). */
export function parseArpingLine(line: string): ArpingReply | null {
  const m = REPLY.exec(line.trim());
  if (!m) return null;
  return { from: m[1]!, mac: m[2]!.toLowerCase(), rttMs: Number(m[3]) };
}

/** The argument array for one target (no shell). */
export function arpingArgs(binding: ProbeBinding, target: string): string[] {
  const args = ['-I', binding.device];
  if (binding.srcIp && isIPv4(binding.srcIp)) args.push('-s', binding.srcIp);
  args.push(target);
  return args;
}

/** What the prober needs of a child process (tests pass a fake one). */
export interface HelperProcess {
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
  on(event: 'exit', fn: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
}

export type SpawnHelper = (command: string, args: string[]) => HelperProcess;

const defaultSpawn: SpawnHelper = (command, args) => nodeSpawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** Finds an executable on PATH (an absolute path is checked as is); null if none. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | null {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return null;
}

export interface ArpingOptions extends AttemptPlan {
  binding: ProbeBinding;
  clock?: Clock;
  /** arping binary (default: `arping` found on PATH) */
  command?: string;
  spawn?: SpawnHelper;
  log?: (level: 'info' | 'notice' | 'warn', msg: string) => void;
}

interface OpenRequest {
  at: number;
  timer: unknown;
  done: (rtt: number | null) => void;
}

/**
 * Request/reply accounting of one target: requests open at `request()`, a reply answers the
 * oldest open one. Pure apart from the injected clock (unit-tested with a fake clock).
 */
export class ReplyLedger {
  private readonly open: OpenRequest[] = [];

  constructor(private readonly clock: Clock, private readonly timeoutMs: number) {}

  /** opens a request; resolves with the RTT of the reply it got, or null after `timeout` */
  request(): Promise<number | null> {
    return new Promise((resolve) => {
      const r: OpenRequest = { at: this.clock.now(), timer: null, done: resolve };
      r.timer = this.clock.setTimeout(() => this.settle(r, null), this.timeoutMs);
      this.open.push(r);
    });
  }

  /** a reply line arrived; returns whether it answered a request */
  reply(rttMs: number): boolean {
    const now = this.clock.now();
    while (this.open.length > 0 && now - this.open[0]!.at > this.timeoutMs) this.settle(this.open[0]!, null);
    const oldest = this.open[0];
    if (!oldest) return false;
    this.settle(oldest, rttMs);
    return true;
  }

  /** resolves every open request as lost */
  abort(): void {
    while (this.open.length > 0) this.settle(this.open[0]!, null);
  }

  get openCount(): number {
    return this.open.length;
  }

  private settle(r: OpenRequest, rtt: number | null): void {
    const i = this.open.indexOf(r);
    if (i < 0) return;
    this.open.splice(i, 1);
    this.clock.clearTimeout(r.timer);
    r.done(rtt);
  }
}

/** One target's long-lived arping: spawn, parse, restart with backoff, kill. */
class TargetHelper {
  readonly ledger: ReplyLedger;
  private child: HelperProcess | null = null;
  private restartTimer: unknown = null;
  private backoffMs = BACKOFF_MIN_MS;
  private startedAt = 0;
  private closed = false;
  spawns = 0;

  constructor(private readonly target: string, private binding: ProbeBinding, private readonly o: Required<Pick<ArpingOptions, 'clock' | 'command' | 'spawn'>> & ArpingOptions) {
    this.ledger = new ReplyLedger(o.clock, o.timeoutMs);
    this.start();
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** kills the helper and starts a new one now (new binding, or a fresh broadcast) */
  respawn(binding = this.binding): void {
    this.binding = binding;
    this.stopChild();
    this.clearRestart();
    this.start();
  }

  close(): void {
    this.closed = true;
    this.clearRestart();
    this.stopChild();
    this.ledger.abort();
  }

  private start(): void {
    if (this.closed) return;
    let child: HelperProcess;
    try {
      child = this.o.spawn(this.o.command, arpingArgs(this.binding, this.target));
    } catch (err) {
      this.died(`spawn: ${(err as Error).message}`);
      return;
    }
    this.child = child;
    this.spawns++;
    this.startedAt = this.o.clock.now();
    let buf = '';
    let errTail = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (this.child !== child) return;
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const r = parseArpingLine(line);
        if (r && r.from === this.target) this.ledger.reply(r.rttMs);
      }
      if (buf.length > 4096) buf = '';
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => { errTail = (errTail + chunk).slice(-300); });
    let gone = false;
    const onGone = (why: string): void => {
      if (gone) return;
      gone = true;
      if (this.child !== child) return;
      this.child = null;
      this.died(`${why}${errTail.trim() ? `: ${errTail.trim()}` : ''}`);
    };
    child.on('exit', (code, signal) => onGone(signal ? `killed by ${signal}` : `exited ${code}`));
    child.on('error', (err) => onGone(err.message));
  }

  private died(why: string): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    if (now - this.startedAt >= HEALTHY_MS) this.backoffMs = BACKOFF_MIN_MS;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    this.o.log?.('warn', `arping ${this.target} on ${this.binding.device} ${why}; restart in ${wait / 1000} s`);
    this.clearRestart();
    this.restartTimer = this.o.clock.setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, wait);
  }

  private stopChild(): void {
    const c = this.child;
    this.child = null;
    if (!c) return;
    c.kill('SIGTERM');
    // arping ends on SIGTERM at once; SIGKILL if it hangs (real timer: must not keep us alive)
    const t = setTimeout(() => { try { c.kill('SIGKILL'); } catch { /* gone */ } }, 2000);
    t.unref();
    c.on('exit', () => clearTimeout(t));
  }

  private clearRestart(): void {
    if (this.restartTimer !== null) this.o.clock.clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }
}

export class ArpingProber implements Prober {
  private readonly helpers = new Map<string, TargetHelper>();
  private binding: ProbeBinding;
  private closed = false;
  private readonly o: Required<Pick<ArpingOptions, 'clock' | 'command' | 'spawn'>> & ArpingOptions;

  constructor(opts: ArpingOptions) {
    const command = opts.command ?? 'arping';
    if (!opts.spawn && findExecutable(command) === null) throw new ProbeSetupError(`${command} not found on PATH (install iputils-arping)`);
    this.o = { ...opts, command, clock: opts.clock ?? monotonicClock, spawn: opts.spawn ?? defaultSpawn };
    this.binding = opts.binding;
  }

  rebind(binding: ProbeBinding): void {
    if (binding.device === this.binding.device && binding.srcIp === this.binding.srcIp) return;
    this.binding = binding;
    for (const h of this.helpers.values()) h.respawn(binding);
  }

  async probe(target: string): Promise<TargetResult> {
    if (!isIPv4(target)) return { target, sent: 0, received: 0, rttsMs: [] };
    const h = this.helper(target);
    const clock = this.o.clock;
    const runs: Promise<number | null>[] = [];
    for (let i = 0; i < this.o.count && !this.closed; i++) {
      if (i > 0) await new Promise<void>((r) => clock.setTimeout(r, ARPING_INTERVAL_MS));
      if (this.closed) break;
      runs.push(h.ledger.request());
    }
    const rtts = await Promise.all(runs);
    const got = rtts.filter((x): x is number => x !== null);
    // nothing answered: a fresh arping broadcasts again (the neighbour's MAC may have changed)
    if (!this.closed && runs.length > 0 && got.length === 0 && h.running) h.respawn();
    return { target, sent: runs.length, received: got.length, rttsMs: got };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.helpers.values()) h.close();
    this.helpers.clear();
  }

  /** helpers spawned so far per target (tests: one per target, not one per probe) */
  spawnCount(target: string): number {
    return this.helpers.get(target)?.spawns ?? 0;
  }

  private helper(target: string): TargetHelper {
    let h = this.helpers.get(target);
    if (!h) {
      h = new TargetHelper(target, this.binding, this.o);
      this.helpers.set(target, h);
    }
    return h;
  }
}
