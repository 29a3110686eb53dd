/**
 * The flags every `mwan` command takes (`-s SOCKET`, `-c DIR`, `--json`) and where on a command
 * line they may stand: anywhere before `--`, or, for a command that runs another program
 * (`mwan use IFACE CMD...`), only before its last operand; what follows is that program's
 * command line, flags included (docs/ubus-api.md, "The mwan command").
 */

/** Global flags taking a value. */
export const GLOBAL_WITH_VALUE: ReadonlySet<string> = new Set(['-s', '-c']);
/** Global flags without a value. */
export const GLOBAL_SWITCHES: ReadonlySet<string> = new Set(['--json']);

/**
 * Index of the first argument global flags are no longer taken from: the first `--`, the one
 * after operand number `operandsBeforeTail` (when given), or the end.
 */
export function flagsEnd(argv: readonly string[], operandsBeforeTail?: number): number {
  if (operandsBeforeTail === 0) return 0;
  let operands = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return i;
    if (GLOBAL_WITH_VALUE.has(a)) i++;
    else if (!GLOBAL_SWITCHES.has(a) && ++operands === operandsBeforeTail) return i + 1;
  }
  return argv.length;
}
