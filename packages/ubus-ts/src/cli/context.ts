/** What every CLI command gets: the client, the options, output sinks and a stop signal. */
import type { BlobmsgNode } from '../wire/index.js';
import { Status, STATUS_TEXT } from '../wire/constants.js';
import { UbusDisconnectedError, UbusStatusError, UbusTimeoutError } from '../errors.js';
import type { Clock, UbusClient } from '../client/types.js';
import type { CliOptions } from './args.js';
import { formatJsonList } from './json-format.js';

export interface CliContext {
  client: UbusClient;
  opts: CliOptions;
  out(text: string): void;
  err(text: string): void;
  /** cli.c prints call errors differently when stderr is a terminal */
  stderrIsTTY: boolean;
  clock: Clock;
  /** resolves when the program is asked to stop (signal) or loses the broker */
  stopped: Promise<void>;
}

/** A command returns what cli.c's command functions return: 0, a status (> 0), or -1 / -2. */
export type Command = (ctx: CliContext, args: string[]) => Promise<number>;

/** ubus_strerror */
export function strerror(status: number): string {
  return STATUS_TEXT[status] ?? `Unknown error: ${status}`;
}

/** The UBUS_STATUS_* a failed client operation stands for (as libubus would have returned it). */
export function statusOf(err: unknown): number {
  if (err instanceof UbusStatusError) return err.status;
  if (err instanceof UbusTimeoutError) return Status.TIMEOUT;
  if (err instanceof UbusDisconnectedError) return Status.CONNECTION_FAILED;
  return Status.UNKNOWN_ERROR;
}

/** print_event: `{ "type": {data} }` (the type is printed as is, unescaped, like cli.c) */
export function eventLine(type: string, data: readonly BlobmsgNode[]): string {
  return `{ "${type}": ${formatJsonList(data, false)} }\n`;
}

/** Resolves after `sec` seconds (never when 0), or when the program stops. */
export function runFor(ctx: CliContext, sec: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: unknown;
    if (sec > 0) timer = ctx.clock.setTimeout(resolve, sec * 1000);
    void ctx.stopped.then(() => {
      if (timer !== undefined) ctx.clock.clearTimeout(timer);
      resolve();
    });
  });
}
