import type { CliContext } from './context.js';

/** One `mwan <name> ...` command talking to mwand. */
export interface MwandCommand {
  name: string;
  /** argument synopsis, e.g. "<iface>" */
  args: string;
  help: string;
  /**
   * For a command running another program (`use IFACE CMD...`): after this many operands the
   * rest of the line is that program's, its flags included; global flags only stand before.
   */
  passThroughAfter?: number;
  /** returns the exit code; throws CliError for a failure with a message */
  run(args: string[], ctx: CliContext): Promise<number>;
}
