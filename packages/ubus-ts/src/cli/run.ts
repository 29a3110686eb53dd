/**
 * `ubus-ts` as a function: argv and I/O sinks in, exit code out — what cli.c's main does after
 * getopt, so tests can run it in-process. main.ts only binds it to the real process.
 */
import { connect } from '../client/index.js';
import type { Clock, UbusClient } from '../client/types.js';
import { parseArgs, usageText } from './args.js';
import { COMMANDS } from './commands.js';
import { strerror } from './context.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  stderrIsTTY: boolean;
  clock: Clock;
  /** resolves when the user asks the program to stop (SIGINT/SIGTERM) */
  interrupted: Promise<void>;
  prog?: string;
}

/** Runs one `ubus` command line; resolves with the process exit status (0-255). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const prog = io.prog ?? 'ubus-ts';
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.err(usageText(prog));
    return 1;
  }
  const opts = parsed.opts;
  let client: UbusClient;
  try {
    client = await connect({
      ...(opts.socket !== undefined ? { socketPath: opts.socket } : {}),
      timeoutMs: opts.timeoutSec * 1000,
      reconnect: false,
      clock: io.clock,
    });
  } catch {
    if (!opts.simple) io.err('Failed to connect to ubus\n');
    return 255;
  }
  let lost!: () => void;
  const disconnected = new Promise<void>((resolve) => (lost = resolve));
  client.onEvent((e) => {
    if (e.kind === 'disconnected') lost();
  });
  let ret = -2;
  try {
    const cmd = Object.prototype.hasOwnProperty.call(COMMANDS, opts.command) ? COMMANDS[opts.command] : undefined;
    if (cmd) {
      ret = await cmd(
        {
          client,
          opts,
          out: io.out,
          err: io.err,
          stderrIsTTY: io.stderrIsTTY,
          clock: io.clock,
          stopped: Promise.race([io.interrupted, disconnected]),
        },
        opts.args,
      );
    }
  } finally {
    await client.close();
  }
  if (ret > 0 && !opts.simple) io.err(`Command failed: ${strerror(ret)}\n`);
  else if (ret === -2) io.err(usageText(prog));
  return ret & 0xff;
}
