/**
 * use <iface> [--] <cmd...>: runs the command in a cgroup of its own and marks that cgroup's
 * sockets with the interface's mark (nft `socket cgroupv2`), so its traffic follows the
 * interface's fwmark ip rule, as mwan3's LD_PRELOAD SO_MARK library did. The table and the
 * cgroup go away when the command exits. Design and limits: docs/ubus-api.md, "mwan use".
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { loadConfig, type LoadResult } from 'mwan-config';
import { CliError, ExitCode, type CliContext } from './context.js';
import { cgroup2Mounts, exitStatus, planUse, type UsePlan } from './use-plan.js';
import type { MwandCommand } from './types.js';

/** The child as `use` sees it. */
export interface UseChild {
  readonly pid?: number | undefined;
  kill(signal: NodeJS.Signals): unknown;
  /** resolves with the exit code or the signal that ended it */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every effect of `mwan use`, so the flow is tested with a recording twin. */
export interface UseHost {
  pid: number;
  readMountinfo(): string;
  loadConfig(dir: string): LoadResult;
  createCgroup(dir: string): void;
  /** kills what is left in the cgroup, removes it (and the parent when empty) */
  removeCgroup(dir: string): Promise<void>;
  /** kills everything in the cgroup now */
  killCgroup(dir: string): void;
  nft(input: string): { code: number; stderr: string };
  spawn(argv: readonly string[]): UseChild;
  /**
   * Removes what runs killed with SIGKILL left: tables `inet mwan_use_<pid>` of this network
   * namespace and empty cgroups `<parent>/<pid>` whose process is gone. Best effort.
   */
  sweepStale(cgroupParent: string): void;
  /** calls `handler` on SIGINT/SIGTERM/SIGHUP until the returned function is called */
  onSignal(handler: (s: NodeJS.Signals) => void): () => void;
}

/** The shell wrapper: moves itself into the cgroup, then becomes the command (argv, no string building). */
export function wrapperArgv(cgroupDir: string, cmd: readonly string[]): string[] {
  return ['sh', '-c', 'echo $$ > "$1" || exit 125; shift; exec "$@"', 'mwan-use', `${cgroupDir}/cgroup.procs`, ...cmd];
}

/** Runs `cmd` marked as `iface`; resolves to the command's exit status. */
export async function runUse(iface: string, cmd: readonly string[], ctx: CliContext, host: UseHost): Promise<number> {
  const plan: UsePlan = planUse({ load: host.loadConfig(ctx.configDir), iface, pid: host.pid, mounts: cgroup2Mounts(host.readMountinfo()) });
  host.sweepStale(dirname(plan.cgroupDir));
  try {
    host.createCgroup(plan.cgroupDir);
  } catch (err) {
    throw new CliError(ExitCode.FAILED, `mwan use: cannot create cgroup ${plan.cgroupDir}: ${(err as Error).message}`);
  }
  let tableAdded = false;
  try {
    const added = host.nft(plan.nftAdd);
    if (added.code !== 0) {
      throw new CliError(
        ExitCode.NOT_IMPLEMENTED,
        `mwan use: nft cannot add the rule marking the command's sockets (needs nftables' "socket cgroupv2" match: nft >= 0.9.8, Linux >= 5.13, kmod-nft-socket): ${added.stderr.trim()}`,
      );
    }
    tableAdded = true;
    const child = host.spawn(wrapperArgv(plan.cgroupDir, cmd));
    let signals = 0;
    const off = host.onSignal((s) => {
      // first signal: pass it on; another one: end everything the command started
      if (++signals === 1) child.kill(s);
      else host.killCgroup(plan.cgroupDir);
    });
    try {
      const { code, signal } = await child.exited;
      return exitStatus(code, signal, constants.signals);
    } finally {
      off();
    }
  } finally {
    if (tableAdded) {
      const del = host.nft(plan.nftDelete);
      if (del.code !== 0) ctx.stderr.write(`mwan use: could not delete nft table inet ${plan.nftTable}: ${del.stderr.trim()}\n`);
    }
    await host.removeCgroup(plan.cgroupDir).catch((err: Error) => ctx.stderr.write(`mwan use: could not remove cgroup ${plan.cgroupDir}: ${err.message}\n`));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killCgroup(dir: string): void {
  try {
    writeFileSync(`${dir}/cgroup.kill`, '1'); // Linux >= 5.14
  } catch {
    for (const pid of cgroupPids(dir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

/** The real host: /proc, the cgroup v2 filesystem, nft, sh. */
export const realUseHost: UseHost = {
  pid: process.pid,
  readMountinfo: () => readFileSync('/proc/self/mountinfo', 'utf8'),
  loadConfig: (dir) => loadConfig(dir),
  createCgroup(dir) {
    // another `mwan use` may remove the empty parent meanwhile: retry
    for (let i = 0; ; i++) {
      try {
        mkdirSync(dir, { recursive: true });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || i >= 3) throw err;
      }
    }
  },
  async removeCgroup(dir) {
    if (cgroupPids(dir).length > 0) killCgroup(dir);
    // bounded: SIGKILLed processes leave the cgroup within milliseconds
    for (let i = 0; i < 200 && cgroupPids(dir).length > 0; i++) await sleep(10);
    try {
      rmdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try { rmdirSync(dirname(dir)); } catch { /* in use by another run, or gone */ }
  },
  killCgroup,
  sweepStale(parent) {
    const gone = (pid: number) => {
      if (pid === process.pid) return false;
      try {
        process.kill(pid, 0);
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ESRCH';
      }
    };
    const tables = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout ?? '';
    for (const m of tables.matchAll(/^table inet mwan_use_(\d+)$/gm)) {
      if (gone(Number(m[1]))) spawnSync('nft', ['delete', 'table', 'inet', `mwan_use_${m[1]}`]);
    }
    let names: string[] = [];
    try { names = readdirSync(parent); } catch { return; }
    for (const n of names) {
      // rmdir fails on a cgroup that still has processes: those are left alone
      if (/^\d+$/.test(n) && gone(Number(n))) try { rmdirSync(`${parent}/${n}`); } catch { /* populated */ }
    }
  },
  nft(input) {
    const r = spawnSync('nft', ['-f', '-'], { input, encoding: 'utf8' });
    if (r.error) return { code: 127, stderr: `nft: ${r.error.message}` };
    return { code: r.status ?? 1, stderr: r.stderr ?? '' };
  },
  spawn(argv) {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      c.once('error', reject);
      c.once('exit', (code, signal) => resolve({ code, signal }));
    });
    return { pid: c.pid, kill: (s) => c.kill(s), exited };
  },
  onSignal(handler) {
    const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of sigs) process.on(s, handler);
    return () => { for (const s of sigs) process.off(s, handler); };
  },
};

const USE_USAGE = 'usage: mwan use [-c DIR] <iface> [--] <command> [args...]';

/**
 * Splits `<iface> [--] <cmd...>` (the global flags already taken from before `<iface>`):
 * everything after `<iface>` is the command, its flags included; one leading `--` is dropped.
 */
export function parseUseArgs(args: readonly string[]): { iface: string; cmd: string[] } {
  const [iface, ...rest] = args;
  const cmd = rest[0] === '--' ? rest.slice(1) : rest;
  if (!iface || iface === '--') throw new CliError(ExitCode.USAGE, `mwan use: <iface> is required; ${USE_USAGE}`);
  if (iface.startsWith('-')) throw new CliError(ExitCode.USAGE, `mwan use: unknown option '${iface}' (before <iface> only -c DIR, -s SOCKET, --json); ${USE_USAGE}`);
  if (cmd.length === 0) throw new CliError(ExitCode.USAGE, `mwan use: no command to run; ${USE_USAGE}`);
  return { iface, cmd };
}

/** `use` with an injected host (tests); `use` itself runs on the real one. */
export function useCommand(host: UseHost): MwandCommand {
  return {
    name: 'use',
    args: '[-c DIR] <iface> [--] <cmd...>',
    help: "Run a command with <iface>'s mark, so its traffic leaves through that WAN (flags after <iface> are the command's)",
    passThroughAfter: 1,
    async run(args, ctx) {
      const { iface, cmd } = parseUseArgs(args);
      return runUse(iface, cmd, ctx, host);
    },
  };
}

export const use: MwandCommand = useCommand(realUseHost);
