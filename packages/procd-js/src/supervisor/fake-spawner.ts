/**
 * A spawner without processes, for tests of the supervisor: it records every spawn and signal,
 * and the test decides when a "process" prints or exits.
 */
import type { SignalResult, SpawnCallbacks, SpawnSpec, Spawner } from './spawner.js';

export interface FakeProcess {
  pid: number;
  spec: SpawnSpec;
  alive: boolean;
  /** signals received, in order */
  signals: number[];
  /** make the process exit with a procd exit code (status, or 128 + signal) */
  exit(code: number): void;
  print(stream: 'stdout' | 'stderr', line: string): void;
}

export interface FakeSpawner extends Spawner {
  readonly processes: FakeProcess[];
  /** the processes still alive */
  alive(): FakeProcess[];
  /** the last process started for a command whose argv[0] is `cmd` */
  last(cmd?: string): FakeProcess | undefined;
  /** argv[0] values that fail to start (spawn returns undefined, exit 127 follows) */
  failing: Set<string>;
  /** when true, SIGTERM makes the process exit at once with 128+15 */
  exitOnTerm: boolean;
}

export function createFakeSpawner(opts: { firstPid?: number; exitOnTerm?: boolean } = {}): FakeSpawner {
  let nextPid = opts.firstPid ?? 1000;
  const processes: FakeProcess[] = [];
  const byPid = new Map<number, { proc: FakeProcess; cb: SpawnCallbacks }>();
  const fake: FakeSpawner = {
    processes,
    failing: new Set(),
    exitOnTerm: opts.exitOnTerm ?? true,
    alive: () => processes.filter((p) => p.alive),
    last: (cmd) => [...processes].reverse().find((p) => cmd === undefined || p.spec.argv[0] === cmd),
    spawn(spec, cb) {
      if (fake.failing.has(spec.argv[0]!)) {
        queueMicrotask(() => cb.onExit(127));
        return undefined;
      }
      const pid = nextPid++;
      const proc: FakeProcess = {
        pid,
        spec,
        alive: true,
        signals: [],
        exit(code) {
          if (!proc.alive) throw new Error(`fake process ${pid} already exited`);
          proc.alive = false;
          cb.onExit(code);
        },
        print(stream, line) {
          cb.onOutput(stream, line);
        },
      };
      processes.push(proc);
      byPid.set(pid, { proc, cb });
      return pid;
    },
    signal(pid, signal, _group): SignalResult {
      const entry = byPid.get(pid);
      if (!entry || !entry.proc.alive) return 'ESRCH';
      if (signal < 0 || signal > 64) return 'EINVAL';
      entry.proc.signals.push(signal);
      if (signal === 9 || (signal === 15 && fake.exitOnTerm)) {
        // deliver the exit asynchronously, as a real SIGCHLD would arrive later
        queueMicrotask(() => {
          if (entry.proc.alive) entry.proc.exit(128 + signal);
        });
      }
      return 'ok';
    },
  };
  return fake;
}
