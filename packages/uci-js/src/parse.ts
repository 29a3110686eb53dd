/**
 * UCI file parser with libuci's semantics (file.c uci_import / uci_parse_line): commands
 * `package`, `config`, `option`, `list` (or their one-letter forms), `;` between commands,
 * comments, quoting and continuation lines from the lexer. Anonymous sections get libuci's
 * generated names; a repeated named section merges into the first one.
 */
import { UciError, UciParseError } from './errors.js';
import { LineBuffer } from './lexer.js';
import { isValidName, isValidPackageLineName, isValidPackageName, isValidType } from './names.js';
import { newPackage, type UciDelta, type UciPackage, type UciSection } from './model.js';
import { addList, allocSection, setValue, type ResolvedPtr } from './ops.js';

export interface ParseOptions {
  /** Package name when the text has no `package` line (uci_import's `name`). */
  name?: string;
  /** File name used in errors and stored on the package. */
  file?: string;
  /** Stop at the first syntax error (libuci default, `uci -s`); false = skip bad lines (`-S`). */
  strict?: boolean;
  /** With strict: keep going after a syntax error (skip the line) and return all of them. */
  collect?: boolean;
  /** Load one package: `package` lines are checked but do not switch (uci_load). Default: !!name. */
  single?: boolean;
  /** Merge into this package (uci import -m), recording each change in `deltas`. */
  merge?: { package: UciPackage; deltas: UciDelta[] };
}

export interface ParseResult {
  packages: UciPackage[];
  /** Syntax errors of skipped lines (when strict is false or `collect` is set). */
  errors: UciParseError[];
}

interface State {
  lb: LineBuffer;
  opts: ParseOptions;
  strict: boolean;
  single: boolean;
  name: string | null;
  pkg: UciPackage | null;
  section: UciSection | null;
  done: UciPackage[];
  deltas: UciDelta[] | null;
  /** Sections of the current package by name (libuci walks a list; large files need a map). */
  byName: Map<string, UciSection>;
}

function switchPackage(st: State): void {
  if (st.pkg && !st.opts.merge) st.done.push(st.pkg);
  st.pkg = null;
  st.section = null;
  if (st.name === null) return;
  if (st.done.some((p) => p.name === st.name)) throw new UciError('ERR_UCI_DUPLICATE');
  st.pkg = newPackage(st.name, st.opts.file ?? null);
  st.byName = new Map();
}

function stepPast(st: State, reason: string): void {
  const w = st.lb.commandWord();
  if (!w || w.missing) throw st.lb.error(reason);
  st.lb.pos = w.end + 1;
}

function parsePackage(st: State): void {
  stepPast(st, 'package without name');
  const name = st.lb.nextArg(true, isValidPackageLineName);
  st.lb.assertEol(st.strict);
  if (st.single) return;
  st.name = name;
  switchPackage(st);
}

function parseConfig(st: State, line: number): void {
  if (!st.pkg) {
    if (st.name === null) throw st.lb.error('attempting to import a file without a package name');
    switchPackage(st);
  }
  stepPast(st, 'config without name');
  const type = st.lb.nextArg(true);
  if (!isValidType(type)) throw st.lb.error('invalid character in type field');
  const name = st.lb.nextArg(false, isValidName);
  st.lb.assertEol(st.strict);
  const pkg = st.pkg as UciPackage;
  if (name === '') {
    st.section = allocSection(pkg, type, null, line);
    if (st.deltas) st.deltas.push({ cmd: 'add', section: st.section.name, option: null, value: type });
    return;
  }
  const existing = st.byName.get(name) ?? null;
  if (existing && st.strict && existing.type !== type) {
    throw st.lb.error('section of different type overwrites prior section with same name');
  }
  if (existing) (existing.redefined ??= []).push(line);
  const ptr: ResolvedPtr = { p: pkg, section: name, option: null, value: type, s: existing, o: null, complete: false };
  setValue(ptr, st.deltas, line);
  st.section = ptr.s;
  if (ptr.s) st.byName.set(name, ptr.s);
}

function parseOption(st: State, list: boolean, line: number): void {
  if (!st.section) throw st.lb.error('option/list command found before the first section');
  stepPast(st, 'option without name');
  const name = st.lb.nextArg(true, isValidName);
  const value = st.lb.nextArg(false);
  st.lb.assertEol(st.strict);
  const s = st.section;
  const ptr: ResolvedPtr = {
    p: st.pkg as UciPackage,
    section: s.name,
    option: name,
    value,
    s,
    o: s.options.find((o) => o.name === name) ?? null,
    complete: false,
  };
  if (list) addList(ptr, st.deltas, line);
  else setValue(ptr, st.deltas, line);
}

function isCommand(word: string, letter: string, full: string): boolean {
  return word === letter || word === full;
}

function parseLine(st: State): void {
  const lb = st.lb;
  lb.skipWhitespace();
  for (;;) {
    const w = lb.commandWord();
    if (!w) return;
    const line = lb.physLine;
    const word = w.word;
    if (word.startsWith('#')) return;
    if (isCommand(word, 'p', 'package')) parsePackage(st);
    else if (isCommand(word, 'c', 'config')) parseConfig(st, line);
    else if (isCommand(word, 'o', 'option')) parseOption(st, false, line);
    else if (isCommand(word, 'l', 'list')) parseOption(st, true, line);
    else throw lb.error('invalid command');
  }
}

/** Parse UCI text into packages, exactly as libuci's importer does. */
export function parseUci(text: string, opts: ParseOptions = {}): ParseResult {
  if (opts.name !== undefined && !isValidPackageName(opts.name)) throw new UciError('ERR_UCI_INVAL');
  const lb = new LineBuffer(text, opts.file ?? opts.name ?? '-');
  const st: State = {
    lb,
    opts,
    strict: opts.strict ?? true,
    single: opts.single ?? (opts.name !== undefined || opts.merge !== undefined),
    name: opts.name ?? null,
    pkg: opts.merge ? opts.merge.package : null,
    section: null,
    done: [],
    deltas: opts.merge ? opts.merge.deltas : null,
    byName: new Map((opts.merge?.package.sections ?? []).map((s) => [s.name, s])),
  };
  const errors: UciParseError[] = [];
  while (!lb.eof) {
    lb.nextLine();
    try {
      if (lb.buf.length > 0) parseLine(st);
    } catch (e) {
      if (!(e instanceof UciParseError) || (st.strict && !opts.collect)) throw e;
      errors.push(e);
    }
  }
  if (!st.pkg && st.name !== null) switchPackage(st);
  const merged = opts.merge ? st.pkg : null;
  st.name = null;
  switchPackage(st);
  if (merged) st.done.push(merged);
  return { packages: st.done, errors };
}

/** Parse the text of one config file (uci_load): the package is named after the file. */
export function parsePackageText(text: string, name: string, file?: string, strict = true): { package: UciPackage; errors: UciParseError[] } {
  const r = parseUci(text, { name, file: file ?? name, strict, single: true });
  const pkg = r.packages.find((p) => p.name === name) ?? newPackage(name, file ?? null);
  return { package: pkg, errors: r.errors };
}
