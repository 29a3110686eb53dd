/**
 * The router's software, started inside the router namespace exactly as on a router: the ubus
 * broker, procd (procd-ts), netifd (netifd-ts stand-in), then `/etc/init.d/mwan start` through
 * the init-script runner, so procd launches mwand, mwan-rtmon and, at mwand's request, one
 * mwan-track per WAN. The lab itself only talks to it over ubus.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, Netns } from 'netns-kit';
import { waitUntil } from 'netns-kit';
import type { ChildProcess } from 'node:child_process';
import { Agent } from './agent.js';
import { distFile } from './processes.js';
import { labInterfaces, labMwanConfig, type TrackTiming, LAB_TIMING } from './lab-config.js';
import type { Topology } from './topology.js';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = (pkg: string, name: string): string => join(repoRoot, 'packages', pkg, 'bin', `${name}.js`);

export interface WanStatus {
  state: string;
  latencyMs: number | null;
  lossPercent: number | null;
}

/** What a test may change in the router's software (the lab itself uses the defaults). */
export interface StackOptions {
  /** /etc/config/mwan text; default labMwanConfig(topo, timing) */
  config?: string;
  /** extra environment for the init script (e.g. MWAND_BIN, PROCD_RESPAWN_TIMEOUT, RC_RUNNER_PASSENV) */
  env?: Record<string, string>;
}

/** One instance of procd's service `mwan`, as `service list` shows it. */
export interface ServiceInstance {
  running: boolean;
  pid?: number;
  command?: string[];
}

export class RouterStack {
  readonly dir: string;
  readonly socket: string;
  readonly confDir: string;
  private readonly children: ChildProcess[] = [];
  private agentProc: Agent | null = null;
  private broker: ChildProcess | null = null;

  constructor(private readonly lab: Lab, private readonly router: Netns, private readonly topo: Topology, private readonly timing: TrackTiming = LAB_TIMING, private readonly opts: StackOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'mwan-lab-'));
    this.socket = join(this.dir, 'ubus.sock');
    this.confDir = join(this.dir, 'config');
  }

  /** Process log lines go here (the story prints them only when asked). */
  readonly log: string[] = [];

  private start(argv: string[], name: string, stdio: ('ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe']): ChildProcess {
    const child = this.lab.spawn(this.router, [process.execPath, ...argv], { stdio: stdio as any, env: { ...process.env, PATH: `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` } });
    const keep = (d: Buffer) => { for (const l of d.toString().split('\n')) if (l) this.log.push(`${name}: ${l}`); if (this.log.length > 2000) this.log.splice(0, 1000); };
    if (name !== 'agent') child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.children.push(child);
    return child;
  }

  async up(): Promise<void> {
    mkdirSync(this.confDir, { recursive: true });
    this.writeConfig(this.opts.config ?? labMwanConfig(this.topo, this.timing));
    this.broker = this.start([bin('ubus-ts', 'ubusd-ts'), '-s', this.socket], 'ubusd');
    await waitUntil(() => existsSync(this.socket), 5000);
    const agent = this.start([distFile('agent-main.js'), this.socket], 'agent', ['pipe', 'pipe', 'pipe']);
    this.agentProc = new Agent(agent);
    await this.agentProc.ready;
    this.start([bin('procd-js', 'procd-ts'), '-s', this.socket], 'procd');
    const ifaces = labInterfaces(this.topo).flatMap((i) => ['--interface', `${i.name}=${i.device}`]);
    this.start([bin('netifd-ts', 'netifd-ts'), '-s', this.socket, ...ifaces], 'netifd');
    await this.waitObjects(['service', ...labInterfaces(this.topo).map((i) => `network.interface.${i.name}`)], 10000);
    await this.initScript('start');
    await this.waitObjects(['mwan'], 15000);
  }

  /**
   * Runs `init/mwan <action> [args]` through the rc.common runner, against our procd-ts and config
   * dir (`start mwand` adds only what start_service defines, leaving the trackers alone).
   */
  async initScript(action: 'start' | 'stop' | 'reload' | 'restart', ...args: string[]): Promise<void> {
    const runner = join(repoRoot, 'init', 'rc-runner');
    if (!existsSync(runner)) throw new Error(`init-script runner ${runner} not found`);
    const r = this.router.run(['sh', runner, join(repoRoot, 'init', 'mwan'), action, ...args], {
      allowFail: true,
      env: { ...process.env, ...this.opts.env, UBUS_SOCKET: this.socket, UCI_CONFIG_DIR: this.confDir, PATH: `${join(repoRoot, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
    });
    if (r.code !== 0) throw new Error(`init/mwan ${action} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  }

  /** The lab's ubus access (through the agent in the router namespace). */
  agent(): Agent {
    if (!this.agentProc) throw new Error('router stack is not up');
    return this.agentProc;
  }

  private async waitObjects(paths: string[], timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (const p of paths) {
      for (;;) {
        try {
          await this.agent().call(p, '__probe__', {}, 1000);
          break;
        } catch (e: any) {
          if (e?.status === 3 /* METHOD_NOT_FOUND: the object exists */) break;
          if (Date.now() > until) throw new Error(`ubus object ${p} did not appear within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }

  /** Per-WAN state and figures, from each tracker's ubus object. */
  async wanStatus(): Promise<Map<string, WanStatus>> {
    const out = new Map<string, WanStatus>();
    for (const w of this.topo.wans) {
      try {
        const s = (await this.agent().call(`mwan.track.${w.name}`, 'status', {}, 1000)) as Record<string, any> | undefined;
        out.set(w.name, {
          state: String(s?.state ?? s?.status ?? 'unknown'),
          latencyMs: typeof s?.latency?.avg === 'number' ? s.latency.avg : typeof s?.latency_ms === 'number' ? s.latency_ms : null,
          lossPercent: typeof s?.loss_pct === 'number' ? s.loss_pct : typeof s?.loss?.percent === 'number' ? s.loss.percent : null,
        });
      } catch {
        out.set(w.name, { state: 'no tracker', latencyMs: null, lossPercent: null });
      }
    }
    return out;
  }

  /** Replaces the router's /etc/config/mwan (takes effect at the next reload). */
  writeConfig(text: string): void {
    writeFileSync(join(this.confDir, 'mwan'), text);
  }

  /** `ubus call mwan reload` from inside the router namespace; the reply as mwand gives it. */
  reload(timeoutMs = 30000): Promise<any> {
    return this.agent().call('mwan', 'reload', {}, timeoutMs);
  }

  /** procd's instances of service `mwan` (mwand, rtmon, track_<iface>). */
  async instances(): Promise<Record<string, ServiceInstance>> {
    const list = (await this.agent().call('service', 'list', { name: 'mwan' }, 3000)) as Record<string, { instances?: Record<string, ServiceInstance> }> | null;
    return list?.mwan?.instances ?? {};
  }

  /**
   * Sends `signal` to the running process of procd instance `name` (mwand, rtmon, track_wan...)
   * of service `mwan`, inside the router namespace; returns the pid signalled.
   */
  async killInstance(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number> {
    const pid = (await this.instances())[name]?.pid;
    if (!pid) throw new Error(`instance ${name} of service mwan is not running`);
    process.kill(pid, signal);
    return pid;
  }

  /** `nft list table inet mwan` in the router namespace ('' when the table does not exist). */
  nftTable(): string {
    const r = this.router.run(['nft', 'list', 'table', 'inet', 'mwan'], { allowFail: true });
    return r.code === 0 ? r.stdout : '';
  }

  /** The broker's pid (for tests that take it away). */
  brokerPid(): number | undefined {
    return this.broker?.pid;
  }

  /** kill -9 of ubusd-ts, then a new ubusd-ts on the same socket; clients reconnect by themselves. */
  async restartBroker(): Promise<void> {
    const old = this.broker;
    if (old && old.exitCode === null && old.signalCode === null) {
      const gone = new Promise((r) => old.once('exit', r));
      old.kill('SIGKILL');
      await gone;
    }
    this.broker = this.start([bin('ubus-ts', 'ubusd-ts'), '-s', this.socket], 'ubusd');
    await this.waitObjects(['service'], 15000);
  }

  async down(): Promise<void> {
    try { await this.initScript('stop'); } catch { /* best effort; the lab kills everything next */ }
    this.agentProc?.close();
    this.agentProc = null;
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
