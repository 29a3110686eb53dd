/**
 * libuci's delta files (delta.c): one staged change per line, `<prefix><config>.<section>[.<option>][='<value>']`
 * with prefixes `+` add, `-` remove, `@` rename, `^` reorder, `|` list add, `~` list delete and
 * none for a plain set. Values are single-quoted with `'\''`.
 */
import { UciError, UciParseError } from './errors.js';
import { LineBuffer } from './lexer.js';
import { isValidName } from './names.js';
import { DELTA_PREFIX, type DeltaCommand, type UciDelta, type UciPackage } from './model.js';
import { addList, delList, deleteEntry, renameEntry, reorderSection, setValue } from './ops.js';
import { parsePtr, resolvePtr } from './ptr.js';

/** One delta line exactly as uci_delta_save writes it (with its newline). */
export function formatDelta(pkg: string, d: UciDelta): string {
  let out = `${DELTA_PREFIX[d.cmd]}${pkg}.${d.section}`;
  if (d.option !== null) out += `.${d.option}`;
  if (d.cmd === 'remove' && d.value === null) return out + '\n';
  return `${out}='${(d.value ?? '').split("'").join("'\\''")}'\n`;
}

const BY_PREFIX = new Map<string, DeltaCommand>(
  (Object.entries(DELTA_PREFIX) as [DeltaCommand, string][]).filter(([, c]) => c !== '').map(([k, c]) => [c, k]),
);

/** A parsed delta line with its package name. */
export interface ParsedDelta extends UciDelta {
  package: string;
}

/** uci_parse_delta_tuple on one argument string (already unquoted); throws on a malformed tuple. */
export function parseDeltaTuple(arg: string): ParsedDelta {
  const cmd = BY_PREFIX.get(arg.charAt(0)) ?? 'change';
  const body = cmd === 'change' ? arg : arg.slice(1);
  const ptr = parsePtr(body);
  if (ptr.section === null || ptr.extended) throw new UciError('ERR_UCI_INVAL');
  if (cmd !== 'remove' && ptr.value === null) throw new UciError('ERR_UCI_INVAL');
  if (cmd === 'reorder' && ptr.option !== null) throw new UciError('ERR_UCI_INVAL');
  if (cmd === 'rename' && !isValidName(ptr.value ?? '')) throw new UciError('ERR_UCI_INVAL');
  if ((cmd === 'list_add' || cmd === 'list_del') && ptr.option === null) throw new UciError('ERR_UCI_INVAL');
  return { package: ptr.package, cmd, section: ptr.section, option: ptr.option, value: ptr.value };
}

/**
 * Read delta text line by line as libuci does: each line is one shell-like argument; a line that
 * does not parse is skipped (libuci keeps as much of a delta as it can). `strict` throws at the
 * first such line instead (what uci_filter_delta, behind `revert`, does).
 */
export function parseDeltaText(text: string, file = '-', strict = false): ParsedDelta[] {
  const lb = new LineBuffer(text, file);
  const out: ParsedDelta[] = [];
  while (!lb.eof) {
    lb.nextLine();
    if (lb.buf.length === 0) continue;
    try {
      const arg = lb.nextArg(false);
      if (lb.buf.slice(lb.pos).length > 0) throw new UciError('ERR_UCI_INVAL');
      out.push(parseDeltaTuple(arg));
    } catch (e) {
      if (!strict && (e instanceof UciError || e instanceof UciParseError)) continue;
      throw e;
    }
  }
  return out;
}

/** Apply one delta to a package without recording it (uci_parse_delta_line). */
export function applyDelta(p: UciPackage, d: UciDelta): void {
  const r = resolvePtr(p, { package: p.name, section: d.section, option: d.option, value: d.value, extended: false });
  switch (d.cmd) {
    case 'reorder':
      if (!r.complete || !r.s) throw new UciError('ERR_UCI_NOTFOUND');
      reorderSection(p, r.s, cStrtoulInt(d.value ?? '0'), null);
      return;
    case 'rename':
      renameEntry(r, null);
      return;
    case 'remove':
      deleteEntry(r, null);
      return;
    case 'list_add':
      addList(r, null);
      return;
    case 'list_del':
      delList(r, null);
      return;
    case 'add':
      setValue(r, null);
      if (d.option === null && r.s) r.s.anonymous = true;
      return;
    case 'change':
      setValue(r, null);
      return;
  }
}

/** strtoul(..., 10) as libuci uses for positions. */
/** libuci's int cast of strtoul(s, NULL, 10), as uci_reorder_section receives it. */
export function cStrtoulInt(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (!m) return 0;
  const max = (1n << 64n) - 1n;
  let v = BigInt(m[2] as string);
  if (v > max) v = max;
  else if (m[1] === '-') v = (1n << 64n) - v;
  return Number(BigInt.asIntN(32, v & max));
}

export function parseUnsigned(s: string): number {
  const m = /^\s*\+?(\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/**
 * Apply every parsed delta of `p`'s package in order; returns how many applied cleanly and
 * the list of all parsed ones for `changes`.
 */
export function replayDeltas(p: UciPackage, deltas: ParsedDelta[]): { applied: number; saved: UciDelta[] } {
  let applied = 0;
  const saved: UciDelta[] = [];
  for (const d of deltas) {
    if (d.package !== p.name) continue;
    saved.push({ cmd: d.cmd, section: d.section, option: d.option, value: d.value });
    try {
      applyDelta(p, d);
      applied += 1;
    } catch (e) {
      if (!(e instanceof UciError)) throw e;
    }
  }
  return { applied, saved };
}
