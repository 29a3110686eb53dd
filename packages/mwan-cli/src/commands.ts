/**
 * The `mwan` subcommands: one table from name to implementation. Each takes its arguments
 * (without the command word) and an io, and resolves to the exit code.
 */
import { runCheck } from 'mwan-config/check-command';
import { mwandCommandDefs } from './commands/entry.js';
import { flagsEnd, GLOBAL_SWITCHES, GLOBAL_WITH_VALUE } from './commands/global-flags.js';
import { initCommandDefs } from './commands/init-script.js';

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface CommandDef {
  /** One line for the usage text. */
  summary: string;
  /**
   * The command runs another program: after this many operands the rest of the line is that
   * program's (flags included), so global flags are looked for only before (`use IFACE CMD...`).
   */
  passThroughAfter?: number;
  run: (argv: string[], io: CommandIo) => Promise<number>;
}

/**
 * `check` and `plan` read only the config: the global `-s SOCKET` (wherever it stands before
 * `--`) means nothing to them and is dropped, so `mwan -s SOCK check` works like every command.
 */
export function withoutSocketFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') { out.push(...argv.slice(i)); break; }
    if (argv[i] === '-s') { i++; continue; }
    out.push(argv[i]!);
  }
  return out;
}

export const COMMANDS: Record<string, CommandDef> = {
  check: { summary: 'check [-c DIR] [--json]   validate DIR/mwan, print every problem', run: (argv, io) => runCheck(withoutSocketFlag(argv), io) },
  plan: { summary: 'plan [-c DIR] [--state FILE] [--json]   print the desired nft table, ip rules and routes (kernel untouched)', run: async (argv, io) => (await import('mwan-dataplane/plan-command')).runPlan(withoutSocketFlag(argv), io) },
  // status, interfaces, policies, connected, rules, ifup, ifdown, reload, explain, metrics, watch, use, internal
  ...mwandCommandDefs(),
  // start, stop, restart: the init script
  ...initCommandDefs(),
};

export function usage(commands: Record<string, CommandDef> = COMMANDS): string {
  const lines = Object.values(commands).map((c) => `  ${c.summary}`);
  return `Usage: mwan <command> [<arguments>]\n\nCommands:\n${lines.join('\n')}\n`;
}

/**
 * Moves leading global flags (`mwan -s SOCK status`, as `ubus -s SOCK list`) behind the command
 * word, where each command parses them.
 */
export function hoistGlobalFlags(argv: readonly string[]): string[] {
  const globals: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if (GLOBAL_WITH_VALUE.has(a) && i + 1 < argv.length) {
      globals.push(a, argv[i + 1]!);
      i += 2;
    } else if (GLOBAL_SWITCHES.has(a)) {
      globals.push(a);
      i += 1;
    } else break;
  }
  if (i >= argv.length) return [...argv];
  return [argv[i]!, ...globals, ...argv.slice(i + 1)];
}

/** Exit code for a wrong command line (docs/ubus-api.md, "Exit codes"). */
export const EXIT_USAGE = 64;

/**
 * Commands that do not talk to ubus and end a wrong command line with their own code: mapped
 * to 64 so that 2 always means "cannot reach ubus" (mwan-config's `check` uses 2 for usage).
 */
const OWN_USAGE_CODE: Record<string, number> = { check: 2 };

/**
 * A `-s`/`-c` without a value where global flags are taken (before `--`; before the program's
 * command line for `passThroughAfter`), as "mwan CMD: -c needs a value (...)"; else undefined.
 */
export function missingFlagValue(name: string, argv: readonly string[], passThroughAfter?: number): string | undefined {
  const end = flagsEnd(argv, passThroughAfter);
  for (let i = 0; i < end; i++) {
    const a = argv[i]!;
    if (!GLOBAL_WITH_VALUE.has(a)) continue;
    const v = argv[i + 1];
    if (v === undefined || v === '') return `mwan ${name}: ${a} needs a value (${a === '-s' ? 'the ubus socket path' : 'the UCI config directory'})`;
    i++;
  }
  return undefined;
}

/**
 * Dispatch `argv` (without the program name). No command or an unknown one → usage on stderr,
 * exit 64; `help`, `-h`, `--help` → usage on stdout, exit 0; `-s`/`-c` without a value → 64.
 * `commands` replaces the table (tests).
 */
export async function dispatch(argv: string[], io: CommandIo, commands: Record<string, CommandDef> = COMMANDS): Promise<number> {
  const [name, ...rest] = hoistGlobalFlags(argv);
  if (name === 'help' || name === '-h' || name === '--help') {
    io.stdout(usage(commands));
    return 0;
  }
  if (name !== undefined && GLOBAL_WITH_VALUE.has(name)) {
    io.stderr(`mwan: ${name} needs a value and a command must follow\n${usage(commands)}`);
    return EXIT_USAGE;
  }
  const cmd = name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!cmd) {
    if (name !== undefined) io.stderr(`mwan: unknown command '${name}'\n`);
    io.stderr(usage(commands));
    return EXIT_USAGE;
  }
  const missing = missingFlagValue(name!, rest, cmd.passThroughAfter);
  if (missing) {
    io.stderr(`${missing}\n`);
    return EXIT_USAGE;
  }
  const code = await cmd.run(rest, io);
  return OWN_USAGE_CODE[name!] === code ? EXIT_USAGE : code;
}
