/**
 * Runs the user hook (/etc/mwan.user, or mwan3's /etc/mwan3.user when ours does not exist)
 * once per interface action, as mwan3 did: executed (not sourced) with a clean environment of
 * ACTION, INTERFACE, DEVICE. Unlike mwan3, hooks run strictly one at a time, in order, after the
 * dataplane was applied (never in the way of a routing decision), and each has a timeout: a hook
 * still running then is killed together with its process group and reported.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import type { Clock } from './core/clock.js';
import type { InterfaceAction } from './core/state.js';

export type HookOutcome = 'ok' | 'failed' | 'timeout' | 'error';

export interface HookResult {
  action: string;
  interface: string;
  device: string;
  /** the script that ran */
  path: string;
  result: HookOutcome;
  /** exit code when it exited */
  code?: number;
  /** signal when it was killed */
  signal?: string;
  durationMs: number;
  /** tail of its stderr (bounded) */
  stderr?: string;
}

export interface HookRunnerOptions {
  /** our hook, default /etc/mwan.user */
  path: string;
  /** used when `path` does not exist, default /etc/mwan3.user */
  fallback?: string;
  /** per-hook time limit in ms (default 10 s) */
  timeoutMs?: number;
  clock: Clock;
  /** called for every finished hook (the controller sends mwan.hook for failures) */
  onResult?(r: HookResult): void;
  log?(msg: string): void;
  /** injectable for tests of spawn failures */
  spawn?: (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;
}

const STDERR_MAX = 2048;
/** Enough for a shell script to find logger, ubus etc.; everything else is clean, as mwan3's `env -i`. */
const HOOK_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export class HookRunner {
  private readonly queue: InterfaceAction[] = [];
  private running: Promise<void> | undefined;
  private current: ChildProcess | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: HookRunnerOptions) {}

  /** The script that would run now, or undefined when neither exists. */
  resolvePath(): string | undefined {
    if (existsSync(this.opts.path)) return this.opts.path;
    if (this.opts.fallback && existsSync(this.opts.fallback)) return this.opts.fallback;
    return undefined;
  }

  /** Queues hooks for these actions; returns at once. */
  enqueue(actions: readonly InterfaceAction[]): void {
    if (this.stopped) return;
    this.queue.push(...actions);
    this.running ??= this.loop();
  }

  /** Resolves when every queued hook has finished. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Drops queued hooks and kills the running one (with its group). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    if (this.current?.pid) killGroup(this.current.pid);
    await this.running;
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const a = this.queue.shift()!;
      const r = await this.runOne(a);
      if (r) {
        if (r.result !== 'ok') this.opts.log?.(`hook ${r.path} ${a.action} ${a.interface}: ${describe(r)}`);
        this.opts.onResult?.(r);
      }
    }
    this.running = undefined;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private runOne(a: InterfaceAction): Promise<HookResult | undefined> {
    const path = this.resolvePath();
    if (!path) return Promise.resolve(undefined);
    const { clock } = this.opts;
    const started = clock.now();
    const base = { action: a.action, interface: a.interface, device: a.device, path };
    // mwan3 made the file executable first; we do not change the user's file and use sh instead
    const [cmd, args] = isExecutable(path) ? [path, []] : ['/bin/sh', [path]];
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = (this.opts.spawn ?? nodeSpawn)(cmd, args, {
          env: { ACTION: a.action, INTERFACE: a.interface, DEVICE: a.device, PATH: HOOK_PATH },
          detached: true,
          stdio: ['ignore', 'ignore', 'pipe'],
          cwd: '/',
        });
      } catch (err) {
        resolve({ ...base, result: 'error', durationMs: 0, stderr: String(err) });
        return;
      }
      this.current = child;
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-STDERR_MAX);
      });
      let timedOut = false;
      const timer = clock.setTimeout(() => {
        timedOut = true;
        if (child.pid) killGroup(child.pid);
      }, this.opts.timeoutMs ?? 10_000);
      const finish = (r: HookResult): void => {
        clock.clearTimeout(timer);
        this.current = undefined;
        // a background child of the hook may keep stderr open; do not wait for it
        child.stderr?.destroy();
        resolve(r);
      };
      child.once('error', (err) => finish({ ...base, result: 'error', durationMs: clock.now() - started, stderr: String(err) }));
      child.once('exit', (code, signal) => {
        const durationMs = clock.now() - started;
        const extra = { ...(code !== null ? { code } : {}), ...(signal ? { signal } : {}), ...(stderr ? { stderr: stderr.trim() } : {}) };
        if (timedOut) finish({ ...base, result: 'timeout', durationMs, ...extra });
        else finish({ ...base, result: code === 0 ? 'ok' : 'failed', durationMs, ...extra });
      });
    });
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function describe(r: HookResult): string {
  switch (r.result) {
    case 'timeout':
      return `killed after ${r.durationMs} ms (timeout)`;
    case 'failed':
      return `exit ${r.code ?? r.signal}${r.stderr ? `: ${r.stderr}` : ''}`;
    case 'error':
      return `could not run: ${r.stderr ?? ''}`;
    default:
      return 'ok';
  }
}
