import type { CliContext } from './context.js';

/** One `mwan <name> ...` command talking to mwand. */
export interface MwandCommand {
  name: string;
  /** argument synopsis, e.g. "<iface>" */
  args: string;
  help: string;
  /** returns the exit code; throws CliError for a failure with a message */
  run(args: string[], ctx: CliContext): Promise<number>;
}
