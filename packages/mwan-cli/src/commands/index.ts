/** The commands that talk to mwand, for the `mwan` dispatcher (src/commands.ts). */
import { connected, interfaces, policies, rules, status } from './show.js';
import { ifdown, ifup, reload } from './control.js';
import { explain } from './explain.js';
import { metrics } from './metrics.js';
import { watch } from './watch.js';
import { use } from './use.js';
import { internal } from './internal.js';
import type { MwandCommand } from './types.js';

export const mwandCommands: readonly MwandCommand[] = [status, interfaces, policies, connected, rules, ifup, ifdown, reload, explain, metrics, watch, use, internal];

export { ExitCode, CliError, type CliContext, type Output } from './context.js';
export type { MwandCommand } from './types.js';

import { CliError as CliErr, ExitCode as Exit, type CliContext as Ctx } from './context.js';

/** Runs one command: its exit code, with a CliError's message printed on stderr. */
export async function runMwandCommand(cmd: MwandCommand, args: string[], ctx: Ctx): Promise<number> {
  try {
    return await cmd.run(args, ctx);
  } catch (err) {
    if (err instanceof CliErr) {
      ctx.stderr.write(err.message + '\n');
      return err.exitCode;
    }
    ctx.stderr.write(`mwan: ${(err as Error)?.message ?? String(err)}\n`);
    return Exit.FAILED;
  }
}
