/** mwan-cli: the `mwan` command. */
export { COMMANDS, dispatch, usage, type CommandDef, type CommandIo } from './commands.js';
export { mwandCommands, runMwandCommand, ExitCode, CliError, type CliContext, type MwandCommand } from './commands/index.js';
export { toPrometheus } from './commands/prometheus.js';
