/**
 * Command line of `ubus-ts`, parsed like the stock CLI's getopt("m:M:vs:t:S") (glibc getopt
 * permutes, so options may follow the command). Pure: argv in, options or a usage error out.
 */

/** monitor_types of cli.c: message type names by number */
export const MONITOR_TYPES: readonly string[] = [
  'hello', 'status', 'data', 'ping', 'lookup', 'invoke', 'add_object', 'remove_object', 'subscribe', 'unsubscribe', 'notify',
];

export interface CliOptions {
  socket: string | undefined;
  /** request timeout in seconds (-t, default 30) */
  timeoutSec: number;
  /** listen/subscribe run time in seconds (-t; 0 = until stopped) */
  listenTimeoutSec: number;
  simple: boolean;
  verbose: number;
  /** bit per message type to show in monitor (-m); 0 = all */
  monitorMask: number;
  /** -M: 0 = received only, 1 = transmitted only, -1 = both */
  monitorDir: number;
  command: string;
  args: string[];
}

export type ParseResult = { ok: true; opts: CliOptions } | { ok: false };

/** C atoi: leading integer, 0 when there is none */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? parseInt(m[0], 10) : 0;
}

export function parseArgs(argv: readonly string[]): ParseResult {
  const opts: CliOptions = {
    socket: undefined,
    timeoutSec: 30,
    listenTimeoutSec: 0,
    simple: false,
    verbose: 0,
    monitorMask: 0,
    monitorDir: -1,
    command: '',
    args: [],
  };
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const ch = a[j]!;
      if (ch === 'v') opts.verbose++;
      else if (ch === 'S') opts.simple = true;
      else if ('smMt'.includes(ch)) {
        let val = a.slice(j + 1);
        if (val === '') {
          if (i + 1 >= argv.length) return { ok: false };
          val = argv[++i]!;
        }
        if (ch === 's') opts.socket = val;
        else if (ch === 't') opts.timeoutSec = opts.listenTimeoutSec = atoi(val);
        else if (ch === 'm') {
          const t = MONITOR_TYPES.indexOf(val);
          if (t < 0) return { ok: false };
          opts.monitorMask |= 1 << t;
        } else if (val[0] === 'r') opts.monitorDir = 0;
        else if (val[0] === 't') opts.monitorDir = 1;
        else return { ok: false };
        break;
      } else return { ok: false };
    }
  }
  if (operands.length < 1) return { ok: false };
  opts.command = operands[0]!;
  opts.args = operands.slice(1);
  return { ok: true, opts };
}

export function usageText(prog: string): string {
  return (
    `Usage: ${prog} [<options>] <command> [arguments...]\n` +
    'Options:\n' +
    ' -s <socket>:\t\tSet the unix domain socket to connect to\n' +
    ' -t <timeout>:\t\tSet the timeout (in seconds) for a command to complete\n' +
    ' -S:\t\t\tUse simplified output (for scripts)\n' +
    ' -v:\t\t\tMore verbose output\n' +
    ' -m <type>:\t\t(for monitor): include a specific message type\n' +
    '\t\t\t(can be used more than once)\n' +
    ' -M <r|t>\t\t(for monitor): only capture received or transmitted traffic\n' +
    '\n' +
    'Commands:\n' +
    ' - list [<path>]\t\t\tList objects\n' +
    ' - call <path> <method> [<message>]\tCall an object method\n' +
    ' - subscribe <path> [<path>...]\tSubscribe to object(s) notifications\n' +
    ' - listen [<path>...]\t\t\tListen for events\n' +
    ' - send <type> [<message>]\t\tSend an event\n' +
    ' - wait_for <object> [<object>...]\tWait for multiple objects to appear on ubus\n' +
    ' - monitor\t\t\t\tMonitor ubus traffic\n' +
    '\n'
  );
}
