/**
 * Network namespaces for tests and the lab. Every command is spawned with an argument array
 * (never a shell string). A `Lab` remembers what it created and `destroy()` removes all of it,
 * so a test registers `t.after(() => lab.destroy())` right after creating one.
 *
 * Names are unique per process (`<prefix>-<pid36>-<n>`), so parallel test files never collide.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv synchronously; throws with stderr when it fails (unless allowFail). */
export function run(argv: readonly string[], opts: { input?: string; allowFail?: boolean; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { encoding: 'utf8', input: opts.input, env: opts.env ?? process.env });
  const res = { code: r.status ?? (r.signal ? 128 : 1), stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
  if (res.code !== 0 && !opts.allowFail) throw new Error(`${argv.join(' ')} failed (${res.code}): ${res.stderr.trim()}`);
  return res;
}

let counter = 0;
const tag = process.pid.toString(36);

/** True when this process may create network namespaces (root, or inside `unshare -Urn`). */
export function canUseNetns(): boolean {
  return process.getuid?.() === 0;
}

export class Netns {
  constructor(readonly name: string) {}
  /** argv prefix that runs a command inside this namespace */
  argv(cmd: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', this.name, ...cmd];
  }
  run(cmd: readonly string[], opts: { input?: string; allowFail?: boolean; env?: NodeJS.ProcessEnv } = {}): RunResult {
    return run(this.argv(cmd), opts);
  }
  /** `ip ...` inside the namespace, using -n (no extra exec) */
  ip(...args: string[]): RunResult {
    return run(['ip', '-n', this.name, ...args]);
  }
  /** Starts a long-running process inside the namespace. */
  spawn(cmd: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    const argv = this.argv(cmd);
    return spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  }
  /** Loads an nftables ruleset (text) inside the namespace. */
  nft(ruleset: string): RunResult {
    return this.run(['nft', '-f', '-'], { input: ruleset });
  }
  sysctl(key: string, value: string): void {
    this.run(['sysctl', '-q', '-w', `${key}=${value}`]);
  }
}

export class Lab {
  private readonly namespaces: Netns[] = [];
  private readonly children = new Set<ChildProcess>();
  constructor(readonly prefix = 't') {}

  /** Creates a namespace with loopback up. */
  netns(role: string): Netns {
    const name = `${this.prefix}-${role}-${tag}-${++counter}`.slice(0, 40);
    run(['ip', 'netns', 'add', name]);
    const ns = new Netns(name);
    this.namespaces.push(ns);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** A veth pair between two namespaces, both ends up, optional addresses (CIDR). */
  link(a: Netns, aIf: string, b: Netns, bIf: string, addrs: { a?: string[]; b?: string[] } = {}): void {
    const tmpA = `v${tag}${++counter}a`.slice(0, 15);
    const tmpB = `v${tag}${counter}b`.slice(0, 15);
    run(['ip', 'link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB]);
    run(['ip', 'link', 'set', tmpA, 'netns', a.name]);
    run(['ip', 'link', 'set', tmpB, 'netns', b.name]);
    a.ip('link', 'set', tmpA, 'name', aIf);
    b.ip('link', 'set', tmpB, 'name', bIf);
    for (const cidr of addrs.a ?? []) a.ip('addr', 'add', cidr, 'dev', aIf, ...(cidr.includes(':') ? ['nodad'] : []));
    for (const cidr of addrs.b ?? []) b.ip('addr', 'add', cidr, 'dev', bIf, ...(cidr.includes(':') ? ['nodad'] : []));
    a.ip('link', 'set', aIf, 'up');
    b.ip('link', 'set', bIf, 'up');
  }

  /** Tracks a child so destroy() kills it. */
  adopt<T extends ChildProcess>(child: T): T {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  spawn(ns: Netns, cmd: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    return this.adopt(ns.spawn(cmd, opts));
  }

  /** Kills every child and deletes every namespace this lab made. Safe to call twice. */
  async destroy(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const c of this.children) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      waits.push(new Promise((res) => { c.once('exit', () => res()); setTimeout(res, 2000).unref(); }));
      c.kill('SIGKILL');
    }
    await Promise.all(waits);
    this.children.clear();
    for (const ns of this.namespaces.splice(0)) {
      // processes left inside (e.g. spawned by a daemon) would keep the namespace alive
      const pids = run(['ip', 'netns', 'pids', ns.name], { allowFail: true }).stdout.split(/\s+/).filter(Boolean);
      for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ } }
      run(['ip', 'netns', 'del', ns.name], { allowFail: true });
    }
  }
}

/** Polls `check` until it returns a truthy value or the deadline passes (bounded, for tests). */
export async function waitUntil<T>(check: () => T | Promise<T>, timeoutMs = 5000, stepMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export { internetChecksum, ipv4EchoReply } from './icmp.js';
