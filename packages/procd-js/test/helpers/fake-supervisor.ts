/** A Supervisor wired to a fake clock, fake spawner and fake host, recording notifications. */
import { Supervisor, type SupervisorHost } from '../../src/supervisor/supervisor.js';
import { createFakeSpawner, type FakeSpawner } from '../../src/supervisor/fake-spawner.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';

export interface Rig {
  sup: Supervisor;
  clock: FakeClock;
  spawner: FakeSpawner;
  notes: { type: string; data: Record<string, unknown> }[];
  logs: string[];
  commands: string[][];
  output: string[];
  files: Map<string, string>;
  pidfiles: Map<string, number>;
  /** notification types in order, optionally only those starting with `prefix` */
  types(prefix?: string): string[];
  /** lets queued microtasks (fake exits) run */
  settle(): Promise<void>;
}

export function createRig(opts: { exitOnTerm?: boolean } = {}): Rig {
  const clock = createFakeClock(1_000_000);
  const spawner = createFakeSpawner({ exitOnTerm: opts.exitOnTerm });
  const notes: Rig['notes'] = [];
  const logs: string[] = [];
  const commands: string[][] = [];
  const output: string[] = [];
  const files = new Map<string, string>();
  const pidfiles = new Map<string, number>();
  const host: SupervisorHost = {
    fileDigest: (p) => files.get(p) ?? '',
    ifindex: (d) => (d === 'eth0' ? 2 : 0),
    baseEnv: () => ({ PATH: '/usr/bin:/bin' }),
    writePidfile: (p, pid) => void pidfiles.set(p, pid),
    removePidfile: (p) => void pidfiles.delete(p),
    resolveUser: () => undefined,
    resolveGroup: () => undefined,
    prlimitPath: '/usr/bin/prlimit',
  };
  const sup = new Supervisor({
    clock,
    spawner,
    host,
    notify: (type, data) => notes.push({ type, data }),
    log: (m) => logs.push(m),
    output: (l) => output.push(`${l.service}.${l.instance} ${l.stream}: ${l.text}`),
    runCommand: async (argv) => {
      commands.push(argv);
    },
  });
  return {
    sup,
    clock,
    spawner,
    notes,
    logs,
    commands,
    output,
    files,
    pidfiles,
    types: (prefix) => notes.map((n) => n.type).filter((t) => !prefix || t.startsWith(prefix)),
    settle: async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}
