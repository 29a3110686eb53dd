/**
 * Bridges the mwand commands into the `mwan` dispatcher's table (src/commands.ts): each entry
 * takes the common flags `-s SOCKET`, `-c DIR` and `--json` (anywhere before `--`) and runs
 * the command with the remaining arguments.
 */
import { ExitCode, type CliContext } from './context.js';
import { mwandCommands, runMwandCommand } from './index.js';
import type { MwandCommand } from './types.js';

export interface DispatcherIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const DEFAULT_SOCKET = '/var/run/ubus/ubus.sock';

/** Splits the common flags from a command's own arguments. */
export function commonFlags(argv: string[]): { socket: string; configDir: string; json: boolean; rest: string[] } | string {
  const out = { socket: DEFAULT_SOCKET, configDir: '/etc/config', json: false, rest: [] as string[] };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--') {
      out.rest.push(...argv.slice(k));
      break;
    }
    if (a === '-s' || a === '-c') {
      const v = argv[++k];
      if (v === undefined || v === '') return `${a} needs a value`;
      if (a === '-s') out.socket = v;
      else out.configDir = v;
    } else if (a === '--json') out.json = true;
    else out.rest.push(a);
  }
  return out;
}

function entry(cmd: MwandCommand): { summary: string; run: (argv: string[], io: DispatcherIo) => Promise<number> } {
  return {
    summary: `${`${cmd.name} [-s SOCKET] [--json]${cmd.args ? ` ${cmd.args}` : ''}`}   ${cmd.help}`,
    run: async (argv, io) => {
      const f = commonFlags(argv);
      if (typeof f === 'string') {
        io.stderr(`mwan ${cmd.name}: ${f}\n`);
        return ExitCode.USAGE;
      }
      const ctx: CliContext = {
        socket: f.socket,
        configDir: f.configDir,
        json: f.json,
        stdout: Object.assign({ write: (s: string) => io.stdout(s) }, { isTTY: process.stdout.isTTY === true }),
        stderr: { write: (s: string) => io.stderr(s) },
      };
      return runMwandCommand(cmd, f.rest, ctx);
    },
  };
}

/** The dispatcher entries of every mwand command, by name. */
export function mwandCommandDefs(): Record<string, { summary: string; run: (argv: string[], io: DispatcherIo) => Promise<number> }> {
  return Object.fromEntries(mwandCommands.map((c) => [c.name, entry(c)]));
}
