/**
 * The seam between the supervisor and the operating system: start a process in its own process
 * group, signal it, learn when it exits. The real implementation uses node:child_process; the
 * fake one (fake-spawner.ts) lets tests drive exits by hand.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { constants as osConstants, setPriority } from 'node:os';
import { createInterface } from 'node:readline';

export interface SpawnSpec {
  argv: string[];
  /** complete environment of the child */
  env: Record<string, string>;
  /** deliver stdout/stderr lines to `onOutput`; otherwise they go to /dev/null (procd's default) */
  captureStdout: boolean;
  captureStderr: boolean;
  uid?: number;
  gid?: number;
  nice?: number;
}

export interface SpawnCallbacks {
  /** exit code as procd computes it: the status, or 128 + signal number */
  onExit(code: number): void;
  onOutput(stream: 'stdout' | 'stderr', line: string): void;
}

export type SignalResult = 'ok' | 'ESRCH' | 'EPERM' | 'EINVAL';

export interface Spawner {
  /**
   * Starts a process as the leader of a new process group. Returns its pid, or undefined when
   * it could not be started (then `onExit(127)` follows asynchronously, as procd's child exits
   * 127 when exec fails).
   */
  spawn(spec: SpawnSpec, cb: SpawnCallbacks): number | undefined;
  /** kill(pid, sig), or kill(-pid, sig) for the whole group */
  signal(pid: number, signal: number, group: boolean): SignalResult;
}

/** procd's exit code: WEXITSTATUS, or SIGNALLED_OFFSET (128) + WTERMSIG. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (osConstants.signals[signal] ?? 0);
  return 1;
}

/** The spawner for real processes. Children are detached (setsid) so each leads its own group. */
export function createRealSpawner(): Spawner {
  return {
    spawn(spec, cb) {
      const [cmd, ...args] = spec.argv;
      const child = nodeSpawn(cmd!, args, {
        env: spec.env,
        detached: true,
        stdio: ['ignore', spec.captureStdout ? 'pipe' : 'ignore', spec.captureStderr ? 'pipe' : 'ignore'],
        uid: spec.uid,
        gid: spec.gid,
      });
      let exited = false;
      const finish = (code: number): void => {
        if (exited) return;
        exited = true;
        cb.onExit(code);
      };
      child.on('error', () => finish(127));
      child.on('exit', (code, signal) => {
        // the instance is its process group: whatever the leader left behind goes with it
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // group already empty
          }
        }
        finish(exitCodeOf(code, signal));
      });
      for (const name of ['stdout', 'stderr'] as const) {
        const stream = child[name];
        if (!stream) continue;
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => cb.onOutput(name, line));
      }
      if (child.pid === undefined) return undefined;
      if (spec.nice) {
        try {
          setPriority(child.pid, spec.nice);
        } catch {
          // raising priority needs privileges; procd ignores setpriority failures too
        }
      }
      return child.pid;
    },
    signal(pid, signal, group) {
      try {
        process.kill(group ? -pid : pid, signal);
        return 'ok';
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ESRCH' || code === 'EPERM' || code === 'EINVAL') return code;
        return 'EINVAL';
      }
    },
  };
}
