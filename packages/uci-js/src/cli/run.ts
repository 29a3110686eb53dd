/**
 * The `uci` command line (cli.c): same options, commands, output text and exit codes.
 * Errors print as `uci: <libuci error text>`; a usage error exits 255 after the usage text.
 */
import { readFileSync } from 'node:fs';
import { UciContext, type LoadedPackage } from '../context.js';
import { UCI_ERROR_TEXT, UciError, UciParseError } from '../errors.js';
import { exportPackage } from '../export.js';
import type { UciOption, UciPackage, UciSection } from '../model.js';
import { addList, addSection, deleteEntry, delList, renameEntry, reorderSection, setValue, type ResolvedPtr } from '../ops.js';
import { parseUci } from '../parse.js';
import { parsePtr, resolvePtr } from '../ptr.js';
import { LineBuffer } from '../lexer.js';
import { cStrtoulInt } from '../delta.js';
import { APP, DEFAULT_CONF2DIR, ERRNO, STRERROR, USAGE } from './messages.js';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whole standard input (read only by `import`). */
  readStdin: () => Promise<string>;
}

interface Cli {
  io: CliIo;
  ctx: UciContext;
  quiet: boolean;
  merge: boolean;
  noCommit: boolean;
  showExt: boolean;
  delimiter: string;
  /** Contents of `-f FILE` (read when the option is parsed, as cli.c opens it then). */
  inputText: string | null;
  /** The batch input while `uci batch` runs (commands and `import` read from it). */
  batch: LineBuffer | null;
  /** libuci's static error suffix buffer (see uciPerror). */
  errorInfo: string;
  /** Batch lines read before the current batch parse context was allocated. */
  batchLineBase: number;
}

function cliError(cli: Cli, text: string): void {
  if (!cli.quiet) cli.io.stderr(text);
}

async function readInput(cli: Cli): Promise<string> {
  if (cli.batch) return cli.batch.rest();
  if (cli.inputText !== null) {
    const t = cli.inputText;
    cli.inputText = '';
    return t;
  }
  return cli.io.readStdin();
}

/**
 * libuci's uci_perror: the ` (reason) at line N, byte M` suffix lives in a static buffer that is
 * only rewritten for a parse error while a parse context exists, and gets a `\n` appended on
 * every call. So in one process a later error repeats a stale suffix and collects blank lines;
 * `uci` scripts see exactly that text on stderr, and so does this.
 */
function uciPerror(cli: Cli, prefix: string | null, e: unknown): void {
  let text: string;
  if (e instanceof UciParseError) {
    const line = e.file === BATCH_INPUT ? e.libuciLine - cli.batchLineBase : e.libuciLine;
    cli.errorInfo = ` (${e.reason}) at line ${line}, byte ${e.byte}`;
    text = UCI_ERROR_TEXT.ERR_UCI_PARSE;
  } else if (e instanceof UciError) {
    // in batch mode the parse context is the batch input's (no reason, byte 0)
    if (e.code === 'ERR_UCI_PARSE' && cli.batch) cli.errorInfo = ` (unknown) at line ${cli.batch.uciLine - cli.batchLineBase}, byte 0`;
    text = e.uciMessage;
  } else {
    cli.io.stderr(`${APP}: ${(e as Error).message}\n`);
    return;
  }
  cli.errorInfo += '\n';
  cli.io.stderr(`${prefix !== null ? prefix + ': ' : ''}${text}${cli.errorInfo}`);
}

function perror(cli: Cli, e: unknown): void {
  if (cli.quiet) return;
  uciPerror(cli, APP, e);
}

function quote(v: string): string {
  return `'${v.split("'").join("'\\''")}'`;
}

function showValue(cli: Cli, o: UciOption, quoted: boolean): string {
  if (o.type === 'string') return (quoted ? quote(o.value) : o.value) + '\n';
  return o.values.map((v) => (!/[ \t\r\n]/.test(v) && !quoted ? v : quote(v))).join(cli.delimiter) + '\n';
}

function showOption(cli: Cli, p: UciPackage, ref: string, o: UciOption): string {
  return `${p.name}.${ref}.${o.name}=${showValue(cli, o, true)}`;
}

function showSection(cli: Cli, p: UciPackage, ref: string, s: UciSection): string {
  return `${p.name}.${ref}=${s.type}\n` + s.options.map((o) => showOption(cli, p, ref, o)).join('');
}

function showPackage(cli: Cli, p: UciPackage): string {
  const seen = new Map<string, number>();
  let out = '';
  for (const s of p.sections) {
    const idx = seen.get(s.type) ?? 0;
    seen.set(s.type, idx + 1);
    const ref = cli.showExt && s.anonymous ? `@${s.type}[${idx}]` : s.name;
    out += showSection(cli, p, ref, s);
  }
  return out;
}

function showChanges(lp: LoadedPackage): string {
  let out = '';
  for (const d of lp.savedDelta) {
    const prefix = d.cmd === 'remove' ? '-' : '';
    const op = d.cmd === 'list_add' ? '+=' : d.cmd === 'list_del' ? '-=' : '=';
    out += `${prefix}${lp.package.name}.${d.section}${d.option !== null ? '.' + d.option : ''}`;
    if (d.cmd !== 'remove') out += op + quote(d.value ?? '');
    out += '\n';
  }
  return out;
}

/** uci_lookup_ptr from the command line: load the package and resolve the tuple. */
function lookup(cli: Cli, tuple: string): { lp: LoadedPackage; r: ResolvedPtr } {
  const ptr = parsePtr(tuple);
  const lp = cli.ctx.load(ptr.package);
  return { lp, r: resolvePtr(lp.package, ptr, true) };
}

function packageCmd(cli: Cli, cmd: string, tuple: string): number {
  let lp: LoadedPackage;
  let r: ResolvedPtr;
  try {
    ({ lp, r } = lookup(cli, tuple));
  } catch (e) {
    perror(cli, e);
    return 1;
  }
  try {
    switch (cmd) {
      case 'changes':
        cli.io.stdout(showChanges(lp));
        break;
      case 'commit':
        if (cli.noCommit) return 0;
        cli.ctx.commit(lp);
        break;
      case 'export':
        cli.io.stdout(exportPackage(lp.package, { header: true, exportNames: cli.ctx.exportNames }));
        break;
      case 'show':
        if (!r.complete) throw new UciError('ERR_UCI_NOTFOUND');
        if (r.o && r.s) cli.io.stdout(showOption(cli, lp.package, r.s.name, r.o));
        else if (r.s) cli.io.stdout(showSection(cli, lp.package, r.s.name, r.s));
        else cli.io.stdout(showPackage(cli, lp.package));
        break;
    }
  } catch (e) {
    perror(cli, e);
    return 1;
  }
  return 0;
}

function doPackageCmd(cli: Cli, cmd: string, args: string[]): number {
  if (args.length > 1) return 255;
  if (args.length === 1) return packageCmd(cli, cmd, args[0] as string);
  let names: string[];
  try {
    names = cli.ctx.listConfigs();
  } catch (e) {
    perror(cli, e);
    return 1;
  }
  for (const n of names) packageCmd(cli, cmd, n);
  return 0;
}

function doSectionCmd(cli: Cli, cmd: string, args: string[]): number {
  if (args.length !== 1) return 255;
  let lp: LoadedPackage;
  let r: ResolvedPtr;
  try {
    ({ lp, r } = lookup(cli, args[0] as string));
  } catch (e) {
    perror(cli, e);
    return 1;
  }
  const takesValue = ['set', 'delete', 'add_list', 'del_list', 'rename', 'reorder'];
  if (r.value !== null && !takesValue.includes(cmd)) return 1;
  try {
    switch (cmd) {
      case 'get':
        if (!r.complete) throw new UciError('ERR_UCI_NOTFOUND');
        if (r.o) cli.io.stdout(showValue(cli, r.o, false));
        else if (r.s) cli.io.stdout(`${r.s.type}\n`);
        return 0;
      case 'revert':
        cli.ctx.revert(lp.package.name, r.section, r.option);
        return 0;
      case 'set':
        setValue(r, lp.delta);
        break;
      case 'add_list':
        if (r.option === null && r.s && r.value !== null) {
          // libuci adds a nameless list and records `|config.section='value'`, a delta line
          // it rejects when replaying: exit 0, a junk line in the delta file, no change
          lp.delta.push({ cmd: 'list_add', section: r.section ?? r.s.name, option: null, value: r.value });
          break;
        }
        addList(r, lp.delta);
        break;
      case 'del_list':
        delList(r, lp.delta);
        break;
      case 'rename':
        renameEntry(r, lp.delta);
        break;
      case 'reorder':
        if (!r.s || r.value === null) throw new UciError('ERR_UCI_NOTFOUND');
        reorderSection(lp.package, r.s, cStrtoulInt(r.value), lp.delta);
        break;
      case 'delete':
        // cli.c: `if (value && !sscanf(value, "%d", &n)) return 1` — sscanf gives EOF (not 0)
        // for an empty or blank value, so `delete cfg.sec.opt=` deletes the whole entry
        if (r.value !== null && !/^\s*$/.test(r.value) && !/^\s*[+-]?\d/.test(r.value)) return 1;
        deleteEntry(r, lp.delta);
        break;
    }
    cli.ctx.save(lp);
  } catch (e) {
    perror(cli, e);
    return 1;
  }
  return 0;
}

function doAdd(cli: Cli, args: string[]): number {
  if (args.length !== 2) return 255;
  try {
    const lp = cli.ctx.load(args[0] as string);
    const s = addSection(lp.package, args[1] as string, lp.delta);
    cli.ctx.save(lp);
    cli.io.stdout(`${s.name}\n`);
    return 0;
  } catch (e) {
    perror(cli, e);
    return e instanceof UciError ? (ERRNO[e.code] ?? 1) : 1;
  }
}

async function doImport(cli: Cli, args: string[]): Promise<number> {
  if (args.length > 1) return 255;
  const name = args[0] ?? null;
  if (name === null && cli.merge) return 255;
  try {
    const text = await readInput(cli);
    let existing: LoadedPackage | null = null;
    if (cli.merge && name !== null) {
      try {
        existing = cli.ctx.load(name);
      } catch {
        existing = null;
      }
    }
    if (existing) {
      parseUci(text, { name: name as string, file: '-', strict: cli.ctx.strict, merge: { package: existing.package, deltas: existing.delta } });
      cli.ctx.save(existing);
      return 0;
    }
    const r = parseUci(text, { ...(name !== null ? { name } : {}), file: '-', strict: cli.ctx.strict, single: name !== null });
    for (const e of r.errors) cli.ctx.onParseError?.(e);
    for (const p of r.packages) {
      const path = cli.ctx.importPath(p.name);
      cli.ctx.commit({ package: p, path, hasDelta: false, delta: [], savedDelta: [] }, true);
    }
    return 0;
  } catch (e) {
    perror(cli, e);
    return 1;
  }
}

const MAX_ARGS = 4;
const BATCH_INPUT = '<batch input>';

/**
 * `uci batch` (cli.c uci_batch): one command per input line, arguments scanned like config
 * values (quotes, `#`, `;`); `exit` stops; an unknown command prints "Unknown command". Always 0.
 */
async function doBatch(cli: Cli): Promise<number> {
  const lb = new LineBuffer(await readInput(cli), BATCH_INPUT);
  cli.batchLineBase = 0;
  cli.batch = lb;
  try {
    while (!lb.eof) {
      lb.nextLine();
      const args: string[] = [];
      let tooMany = false;
      try {
        for (;;) {
          if (args.length === MAX_ARGS) {
            tooMany = true;
            break;
          }
          const a = lb.nextArg(false);
          if (a === '') break;
          args.push(a);
        }
      } catch (e) {
        perror(cli, e);
        args.length = 0;
      }
      if (tooMany) {
        // the rest of the line is dropped; the batch goes on
        cliError(cli, 'Too many arguments\n');
        continue;
      }
      if (args.length === 0) continue;
      if ((args[0] as string).toLowerCase() === 'exit') return 0;
      const opened = cli.ctx.filesOpened;
      const ret = await runCommand(cli, args);
      if (ret === 255) cliError(cli, 'Unknown command\n');
      // reading a config (or delta) file frees libuci's parse context; the next batch line gets
      // a new one whose line count starts again
      if (cli.ctx.filesOpened !== opened) cli.batchLineBase = lb.uciLine;
    }
    return 0;
  } finally {
    cli.batch = null;
  }
}

function runCommand(cli: Cli, args: string[]): Promise<number> | number {
  const cmd = (args[0] as string).toLowerCase();
  const rest = args.slice(1);
  switch (cmd) {
    case 'show':
    case 'changes':
    case 'export':
    case 'commit':
      return doPackageCmd(cli, cmd, rest);
    case 'get':
    case 'set':
    case 'revert':
    case 'reorder':
    case 'add_list':
    case 'del_list':
      return doSectionCmd(cli, cmd, rest);
    case 'ren':
    case 'rename':
      return doSectionCmd(cli, 'rename', rest);
    case 'del':
    case 'delete':
      return doSectionCmd(cli, 'delete', rest);
    case 'add':
      return doAdd(cli, rest);
    case 'import':
      return doImport(cli, rest);
    case 'help':
      cli.io.stderr(USAGE);
      return 0;
    case 'batch':
      if (!cli.batch) return doBatch(cli);
      return 255;
    default:
      return 255;
  }
}

/** Run `uci` with `argv` (without the program name); resolves to the exit code. */
export async function runUci(argv: string[], io: CliIo): Promise<number> {
  const ctx = new UciContext({ conf2dir: DEFAULT_CONF2DIR });
  const cli: Cli = { io, ctx, quiet: false, merge: false, noCommit: false, showExt: true, delimiter: ' ', inputText: null, batch: null, errorInfo: '', batchLineBase: 0 };
  const withArg = new Set(['c', 'C', 'd', 'f', 'p', 'P', 't']);
  let i = 0;
  // getopt("c:C:d:f:LmnNp:P:qsSt:X"), stopping at the first non-option like musl's
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let j = 1; j < a.length; j++) {
      const f = a[j] as string;
      let val: string | undefined;
      if (withArg.has(f)) {
        val = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (val === undefined) {
          // glibc getopt's message (opterr), then cli.c's usage
          io.stderr(`${APP}: option requires an argument -- '${f}'\n${USAGE}`);
          return 0;
        }
        j = a.length;
      }
      switch (f) {
        case 'c':
          ctx.confdir = val as string;
          break;
        case 'C':
          ctx.conf2dir = val === '' ? null : (val as string);
          break;
        case 'd':
          cli.delimiter = val as string;
          break;
        case 'f':
          if (cli.inputText !== null) {
            cliError(cli, 'Too many input files.\n');
            return 1;
          }
          try {
            cli.inputText = readFileSync(val as string, 'utf8');
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code ?? '';
            // cli.c: cli_error("uci: %s", strerror(errno)) — no newline
            cliError(cli, `${APP}: ${STRERROR[code] ?? code}`);
            return 1;
          }
          break;
        case 'm':
          cli.merge = true;
          break;
        case 's':
          ctx.strict = true;
          break;
        case 'S':
          ctx.strict = false;
          // UCI_FLAG_PERROR: skipped lines are reported as libuci prints them (also with -q)
          ctx.onParseError = (e) => uciPerror(cli, null, e);
          break;
        case 'n':
          ctx.exportNames = true;
          break;
        case 'N':
          ctx.exportNames = false;
          break;
        case 'p':
          try {
            ctx.addDeltaPath(val as string);
          } catch {
            // libuci ignores a duplicate delta path here
          }
          break;
        case 'P':
          ctx.setSavedir(val as string);
          cli.noCommit = true;
          break;
        case 'q':
          cli.quiet = true;
          break;
        case 't':
          ctx.setSavedir(val as string);
          break;
        case 'X':
          cli.showExt = false;
          break;
        case 'L':
          // in cli.c's getopt string but not handled: usage
          io.stderr(USAGE);
          return 0;
        default:
          io.stderr(`${APP}: invalid option -- '${f}'\n${USAGE}`);
          return 0;
      }
    }
  }
  const args = argv.slice(i);
  if (args.length < 1) {
    io.stderr(USAGE);
    return 0;
  }
  const ret = await runCommand(cli, args);
  if (ret === 255) io.stderr(USAGE);
  return ret;
}
