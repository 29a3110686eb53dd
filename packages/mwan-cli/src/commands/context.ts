/**
 * What every mwand-facing command gets: where the bus is, output streams, --json, and one way
 * to reach mwand that turns "no broker" and "no mwand" into clear messages and exit codes
 * (docs/ubus-api.md, "CLI exit codes").
 */
import { connect } from 'ubus-ts/client/index';
import { Status, UbusError, UbusStatusError, type UbusClient, type UbusData } from 'ubus-ts';

/** Exit codes of the mwan command. */
export const ExitCode = {
  OK: 0,
  /** the operation failed (reload rejected, unknown interface, bad argument refused by mwand) */
  FAILED: 1,
  /** the ubus broker cannot be reached */
  NO_UBUS: 2,
  /** the broker is there but mwand (object "mwan") is not */
  NO_MWAND: 3,
  /** something needed is missing: a kernel feature (mwan use), the init script (start/stop/restart) */
  NOT_IMPLEMENTED: 4,
  /** wrong command line */
  USAGE: 64,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface Output {
  write(s: string): unknown;
}

export interface CliContext {
  /** ubus socket (-s) */
  socket: string;
  /** UCI config dir (-c) */
  configDir: string;
  /** --json given */
  json: boolean;
  stdout: Output;
  stderr: Output;
  /** request timeout in ms (default 10 s) */
  timeoutMs?: number;
}

/** An error with the exit code and message the command ends with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(readonly exitCode: ExitCode, message: string) {
    super(message);
  }
}

/** Connects to the broker, or fails with exit code 2. */
export async function openBus(ctx: CliContext): Promise<UbusClient> {
  try {
    return await connect({ socketPath: ctx.socket, reconnect: false, timeoutMs: ctx.timeoutMs ?? 10_000 });
  } catch (err) {
    throw new CliError(ExitCode.NO_UBUS, `mwan: cannot reach ubus at ${ctx.socket} (is ubusd running?)`);
  }
}

/** Calls a method of mwand's object, mapping bus failures to CliErrors. */
export async function callMwan(bus: UbusClient, method: string, args: UbusData = {}): Promise<UbusData> {
  try {
    return (await bus.call('mwan', method, args)) ?? {};
  } catch (err) {
    if (err instanceof UbusStatusError) {
      if (err.status === Status.NOT_FOUND && !(await hasMwan(bus))) throw new CliError(ExitCode.NO_MWAND, 'mwan: mwand is not running');
      if (err.status === Status.NOT_FOUND && typeof args.interface === 'string') throw new CliError(ExitCode.FAILED, `mwan: ${method}: interface "${args.interface}" is not configured`);
      if (err.status === Status.INVALID_ARGUMENT) throw new CliError(ExitCode.FAILED, `mwan: ${method}: mwand refused the arguments ${JSON.stringify(args)}`);
      throw new CliError(ExitCode.FAILED, `mwan: ${method}: ${err.message}`);
    }
    if (err instanceof UbusError) throw new CliError(ExitCode.NO_UBUS, `mwan: lost ubus at ${bus ? 'the broker' : ''}: ${err.message}`);
    throw err;
  }
}

async function hasMwan(bus: UbusClient): Promise<boolean> {
  try {
    return (await bus.lookup('mwan')).some((o) => o.path === 'mwan');
  } catch {
    return false;
  }
}

/** Runs `fn` with a connected bus, closing it afterwards. */
export async function withBus<T>(ctx: CliContext, fn: (bus: UbusClient) => Promise<T>): Promise<T> {
  const bus = await openBus(ctx);
  try {
    return await fn(bus);
  } finally {
    await bus.close().catch(() => {});
  }
}

export function printJson(ctx: CliContext, v: unknown): void {
  ctx.stdout.write(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x), 2) + '\n');
}
