/**
 * Bridges the mwand commands into the `mwan` dispatcher's table (src/commands.ts): each entry
 * takes the common flags `-s SOCKET`, `-c DIR` and `--json` (anywhere before `--`; for `use`
 * only before IFACE, see global-flags.ts) and runs the command with the remaining arguments.
 */
import { ExitCode, type CliContext } from './context.js';
import { flagsEnd, GLOBAL_SWITCHES, GLOBAL_WITH_VALUE } from './global-flags.js';
import { mwandCommands, runMwandCommand } from './index.js';
import type { MwandCommand } from './types.js';

export interface DispatcherIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const DEFAULT_SOCKET = '/var/run/ubus/ubus.sock';

/** A dispatcher entry (src/commands.ts `CommandDef`). */
export interface DispatcherEntry {
  summary: string;
  passThroughAfter?: number;
  run: (argv: string[], io: DispatcherIo) => Promise<number>;
}

/**
 * Splits the common flags from a command's own arguments. They are taken before `--`, and,
 * when `passThroughAfter` is given, only up to that many operands: the rest (from `--` or
 * after the last operand) is left in `rest` untouched.
 */
export function commonFlags(argv: string[], passThroughAfter?: number): { socket: string; configDir: string; json: boolean; rest: string[] } | string {
  const out = { socket: DEFAULT_SOCKET, configDir: '/etc/config', json: false, rest: [] as string[] };
  const end = flagsEnd(argv, passThroughAfter);
  for (let k = 0; k < end; k++) {
    const a = argv[k]!;
    if (GLOBAL_WITH_VALUE.has(a)) {
      const v = argv[++k];
      if (v === undefined || v === '') return `${a} needs a value`;
      if (a === '-s') out.socket = v;
      else out.configDir = v;
    } else if (GLOBAL_SWITCHES.has(a)) out.json = true;
    else out.rest.push(a);
  }
  out.rest.push(...argv.slice(end));
  return out;
}

/** The dispatcher entry of one mwand command. */
export function mwandCommandDef(cmd: MwandCommand): DispatcherEntry {
  return {
    summary: `${`${cmd.name} [-s SOCKET] [--json]${cmd.args ? ` ${cmd.args}` : ''}`}   ${cmd.help}`,
    passThroughAfter: cmd.passThroughAfter,
    run: async (argv, io) => {
      const f = commonFlags(argv, cmd.passThroughAfter);
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
export function mwandCommandDefs(): Record<string, DispatcherEntry> {
  return Object.fromEntries(mwandCommands.map((c) => [c.name, mwandCommandDef(c)]));
}
