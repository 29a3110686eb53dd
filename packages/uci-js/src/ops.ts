/**
 * Changes to a package with libuci's exact semantics (list.c: uci_set, uci_add_list, uci_del_list,
 * uci_delete, uci_rename, uci_reorder_section, uci_add_section). When `deltas` is given, each
 * effective change is recorded there the way libuci records it for `uci changes`/save.
 */
import { UciError } from './errors.js';
import { anonymousName, isValidType } from './names.js';
import type { DeltaCommand, UciDelta, UciOption, UciPackage, UciSection } from './model.js';

/** A resolved pointer: what `uci_lookup_ptr` leaves in `struct uci_ptr`. */
export interface ResolvedPtr {
  p: UciPackage;
  section: string | null;
  option: string | null;
  value: string | null;
  s: UciSection | null;
  o: UciOption | null;
  /** Every named part was found (libuci's UCI_LOOKUP_COMPLETE). */
  complete: boolean;
}

function record(deltas: UciDelta[] | null, cmd: DeltaCommand, section: string, option: string | null, value: string | null): void {
  if (deltas) deltas.push({ cmd, section, option, value });
}

/** Allocate a section at the end (or at `index`); anonymous ones get libuci's generated name. */
export function allocSection(p: UciPackage, type: string, name: string | null, line: number, index?: number): UciSection {
  p.nSection += 1;
  const s: UciSection = {
    name: name && name.length > 0 ? name : anonymousName(p.nSection, type),
    type,
    anonymous: !(name && name.length > 0),
    options: [],
    line,
  };
  if (index === undefined) p.sections.push(s);
  else p.sections.splice(index, 0, s);
  return s;
}

/** uci_add_section: a new anonymous section of `type`. */
export function addSection(p: UciPackage, type: string, deltas: UciDelta[] | null, line = 0): UciSection {
  const s = allocSection(p, type, null, line);
  record(deltas, 'add', s.name, null, type);
  return s;
}

/** uci_set: create or change a section type or an option value; an empty value deletes. */
export function setValue(ptr: ResolvedPtr, deltas: UciDelta[] | null, line = 0): void {
  const value = ptr.value;
  if (value === null) throw new UciError('ERR_UCI_INVAL');
  if (!(ptr.s || (!ptr.option && ptr.section))) throw new UciError('ERR_UCI_INVAL');
  if (!ptr.option && value.length > 0 && !isValidType(value)) throw new UciError('ERR_UCI_INVAL');
  if (!ptr.o && ptr.s && ptr.option) ptr.o = ptr.s.options.find((o) => o.name === ptr.option) ?? null;

  if (value.length === 0) {
    // libuci: setting something that does not exist to nothing is not an error
    if (!ptr.complete) return;
    deleteEntry(ptr, deltas);
    return;
  }
  if (!ptr.o && ptr.option && ptr.s) {
    ptr.o = { name: ptr.option, type: 'string', value, line };
    ptr.s.options.push(ptr.o);
  } else if (!ptr.s && ptr.section) {
    ptr.s = allocSection(ptr.p, value, ptr.section, line);
  } else if (ptr.o && ptr.option && ptr.s) {
    if (ptr.o.type === 'string' && ptr.o.value === value) return;
    const i = ptr.s.options.indexOf(ptr.o);
    const o: UciOption = { name: ptr.o.name, type: 'string', value, line };
    ptr.s.options[i] = o;
    ptr.o = o;
  } else if (ptr.s && ptr.section) {
    if (ptr.s.type === value) return;
    // libuci changes a type of the same length in place; otherwise it re-allocates the section
    // under its current name, so an anonymous section becomes a named one (export shows the name)
    if (ptr.s.type.length !== value.length) ptr.s.anonymous = false;
    ptr.s.type = value;
    ptr.s.line = line || ptr.s.line;
  } else {
    throw new UciError('ERR_UCI_INVAL');
  }
  record(deltas, 'change', ptr.section ?? '', ptr.option, value);
}

/** uci_add_list: append to a list, turning a string option into a list. */
export function addList(ptr: ResolvedPtr, deltas: UciDelta[] | null, line = 0): void {
  if (!ptr.s || ptr.value === null || !ptr.option) throw new UciError('ERR_UCI_INVAL');
  const s = ptr.s;
  const o = ptr.o ?? s.options.find((x) => x.name === ptr.option) ?? null;
  if (!o) {
    const list: UciOption = { name: ptr.option, type: 'list', values: [ptr.value], line, lines: [line] };
    s.options.push(list);
    ptr.o = list;
  } else if (o.type === 'string') {
    const list: UciOption = { name: o.name, type: 'list', values: [o.value, ptr.value], line, lines: [o.line, line] };
    s.options[s.options.indexOf(o)] = list;
    ptr.o = list;
  } else {
    o.values.push(ptr.value);
    o.lines.push(line);
    o.line = line;
  }
  record(deltas, 'list_add', ptr.section ?? s.name, ptr.option, ptr.value);
}

/** uci_del_list: remove every list item equal to the value. */
export function delList(ptr: ResolvedPtr, deltas: UciDelta[] | null): void {
  if (!ptr.s || ptr.value === null) throw new UciError('ERR_UCI_INVAL');
  if (!(ptr.o && ptr.option)) return;
  if (ptr.o.type !== 'list') return;
  record(deltas, 'list_del', ptr.section ?? ptr.s.name, ptr.option, ptr.value);
  const o = ptr.o;
  for (let i = o.values.length - 1; i >= 0; i--) {
    if (o.values[i] === ptr.value) {
      o.values.splice(i, 1);
      o.lines.splice(i, 1);
    }
  }
}

/**
 * sscanf(s, "%d") as glibc does it: strtol (saturating at the 64-bit long range), then the low
 * 32 bits; null when no number is there.
 */
export function cSscanfInt(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return null;
  let v = BigInt(m[1] as string);
  const max = (1n << 63n) - 1n;
  if (v > max) v = max;
  if (v < -max - 1n) v = -max - 1n;
  return Number(BigInt.asIntN(32, v));
}

/** uci_delete: a section, an option, or (value = index) one list item. */
export function deleteEntry(ptr: ResolvedPtr, deltas: UciDelta[] | null): void {
  if (!ptr.complete) throw new UciError('ERR_UCI_NOTFOUND');
  if (!ptr.s) throw new UciError('ERR_UCI_INVAL');
  const s = ptr.s;
  if (ptr.o && ptr.o.type === 'list' && ptr.value) {
    const index = cSscanfInt(ptr.value);
    if (index === null) return;
    if (index < 0 || index >= ptr.o.values.length) return;
    record(deltas, 'remove', ptr.section ?? s.name, ptr.option, ptr.value);
    ptr.o.values.splice(index, 1);
    ptr.o.lines.splice(index, 1);
    return;
  }
  record(deltas, 'remove', ptr.section ?? s.name, ptr.option, null);
  if (ptr.option && ptr.o) {
    s.options.splice(s.options.indexOf(ptr.o), 1);
    ptr.o = null;
  } else {
    ptr.p.sections.splice(ptr.p.sections.indexOf(s), 1);
    ptr.s = null;
  }
}

/** uci_rename: give a section or option a new name (a renamed section is no longer anonymous). */
export function renameEntry(ptr: ResolvedPtr, deltas: UciDelta[] | null): void {
  if (!ptr.complete) throw new UciError('ERR_UCI_NOTFOUND');
  if (!ptr.s || ptr.value === null) throw new UciError('ERR_UCI_INVAL');
  record(deltas, 'rename', ptr.section ?? ptr.s.name, ptr.option, ptr.value);
  if (ptr.option && ptr.o) {
    ptr.o.name = ptr.value;
  } else {
    ptr.s.name = ptr.value;
    ptr.s.anonymous = false;
  }
}

/** uci_reorder_section: move a section to position `pos` (clamped to the end). */
export function reorderSection(p: UciPackage, s: UciSection, pos: number, deltas: UciDelta[] | null): void {
  const from = p.sections.indexOf(s);
  if (from < 0) throw new UciError('ERR_UCI_NOTFOUND');
  p.sections.splice(from, 1);
  const to = Math.max(0, Math.min(pos, p.sections.length));
  p.sections.splice(to, 0, s);
  if (to !== from) record(deltas, 'reorder', s.name, null, String(pos));
}
