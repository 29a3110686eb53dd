/**
 * procd-ts assembled: a Supervisor with the real spawner, host and clock, its `service` object
 * on a ubus connection, instance output to a log. `start()` / `stop()` lifecycle; main.ts only
 * parses flags and calls this, and tests run it in-process.
 */
import { spawn } from 'node:child_process';
import { connect, Status, UbusStatusError } from 'ubus-ts';
import type { UbusClient, UbusObject } from 'ubus-ts';
import { realClock, type Clock } from '../clock.js';
import { createRealHost } from './host.js';
import { createOutputLog } from './output-log.js';
import { createRealSpawner, type Spawner } from './spawner.js';
import { Supervisor } from './supervisor.js';
import { addServiceObject, notifier } from './ubus-face.js';

export interface ProcdDaemonOptions {
  socketPath: string;
  /** directory for `<service>.<instance>.log` files of instances with stdout/stderr */
  logDir?: string;
  /** copy instance output to our stderr (default: when there is no logDir) */
  echoOutput?: boolean;
  /** diagnostics (default: our stderr) */
  log?: (message: string) => void;
  clock?: Clock;
  spawner?: Spawner;
  env?: NodeJS.ProcessEnv;
  /** how long to keep trying to reach the broker at start (default 5000 ms) */
  connectTimeoutMs?: number;
  /**
   * after a reconnect the broker refused to take back object `service` (`restore-failed`):
   * procd is unreachable. Default: log only; procd-ts's main stops the instances and exits 1.
   */
  onServiceLost?: (err: Error) => void;
}

/** What ubusd refused at start, with the ACL that would allow it (docs/procd.md). */
export function busRefusal(what: string, socketPath: string, err: unknown, uid: number | undefined = process.getuid?.()): Error {
  const e = err as Error & { code?: string };
  if (err instanceof UbusStatusError && (err.status === Status.PERMISSION_DENIED || err.status === Status.INVALID_ARGUMENT || err.status === Status.NOT_FOUND)) {
    const text = err.status === Status.PERMISSION_DENIED ? 'Permission denied' : err.status === Status.INVALID_ARGUMENT ? 'Invalid argument' : 'Not found';
    const hint = uid === 0 ? (err.status === Status.INVALID_ARGUMENT ? ' — is another procd publishing it?' : '') : ` — ubusd needs an ACL grant for uid ${uid ?? '?'} (see docs/procd.md, "Running procd-ts as a user")${err.status === Status.INVALID_ARGUMENT ? ', or another procd publishes it' : ''}`;
    return new Error(`cannot ${what} on ${socketPath}: ${text}${hint}`, { cause: err });
  }
  if (e?.code === 'EACCES') return new Error(`cannot connect to ${socketPath}: Permission denied (the socket file's mode or its directory refuses uid ${uid ?? '?'})`, { cause: err });
  return new Error(`cannot ${what} on ${socketPath}: ${e?.message ?? String(err)}`, { cause: err });
}

export interface ProcdDaemon {
  readonly supervisor: Supervisor;
  readonly ubus: UbusClient;
  /** stops every instance (waiting at most for their term_timeouts), then leaves the bus */
  stop(): Promise<void>;
}

/** Runs a trigger command as procd does: argv, no shell, output discarded; resolves on exit. */
function runTriggerCommand(argv: string[], env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', env });
    child.on('error', (err) => {
      log(`trigger ${argv.join(' ')}: ${err.message}`);
      resolve();
    });
    child.on('exit', (code, signal) => {
      if (code !== 0) log(`trigger ${argv.join(' ')}: exit ${code ?? signal}`);
      resolve();
    });
  });
}

/** The broker may still be starting (lab scripts start both at once): retry for a while. */
async function connectWithRetry(socketPath: string, timeoutMs: number): Promise<UbusClient> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect({ socketPath });
    } catch (err) {
      if (Date.now() >= end) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startProcd(opts: ProcdDaemonOptions): Promise<ProcdDaemon> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`procd-ts: ${m}\n`));
  const env = opts.env ?? process.env;
  const output = createOutputLog({ dir: opts.logDir, toStderr: opts.echoOutput ?? !opts.logDir });
  let object: UbusObject | undefined;
  let ubus: UbusClient | undefined;
  // procd's `watch`: subscribe to the named objects (now, or when they appear) and run the
  // triggers on their notifications
  const watched = new Set<string>();
  const subscribed = new Set<string>();
  const subscribeWatched = (path: string): void => {
    if (!ubus || subscribed.has(path)) return;
    subscribed.add(path);
    ubus.subscribe(path, (type, data) => supervisor.fireTrigger(type, data)).catch(() => subscribed.delete(path));
  };
  const supervisor = new Supervisor({
    clock: opts.clock ?? realClock,
    spawner: opts.spawner ?? createRealSpawner(),
    host: createRealHost({ log, env }),
    notify: notifier(() => object, log),
    log,
    output: (l) => output.write(l),
    runCommand: (argv) => runTriggerCommand(argv, env, log),
    watch: (path) => {
      watched.add(path);
      subscribeWatched(path);
    },
  });
  let bus: UbusClient;
  try {
    bus = await connectWithRetry(opts.socketPath, opts.connectTimeoutMs ?? 5000);
  } catch (err) {
    throw busRefusal('connect', opts.socketPath, err);
  }
  ubus = bus;
  let step = "listen for 'ubus.object.add' events";
  try {
    await bus.listen('ubus.object.add', (_type, data) => {
      if (typeof data.path === 'string' && watched.has(data.path)) subscribeWatched(data.path);
    });
    step = "publish object 'service'";
    object = await addServiceObject(bus, supervisor, log);
  } catch (err) {
    await bus.close();
    throw busRefusal(step, opts.socketPath, err);
  }
  bus.onEvent((e) => {
    if (e.kind === 'disconnected') log(`lost the ubus connection at ${opts.socketPath}${e.error ? ` (${e.error.message})` : ''}; instances keep running, reconnecting`);
    else if (e.kind === 'reconnected') log(`ubus connection back at ${opts.socketPath}; object 'service' published again`);
    else if (e.kind === 'restore-failed') {
      log(`after reconnecting, the broker refused object '${e.path ?? '?'}': ${e.error.message}`);
      if (e.path === 'service') (opts.onServiceLost ?? (() => log("procd cannot be reached without object 'service'")))(e.error);
    }
  });
  let stopping: Promise<void> | undefined;
  return {
    supervisor,
    ubus: bus,
    stop() {
      stopping ??= (async () => {
        await supervisor.stopAll();
        await output.close();
        await bus.close();
      })();
      return stopping;
    },
  };
}
