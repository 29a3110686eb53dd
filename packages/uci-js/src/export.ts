/**
 * uci_export's text format: what `uci export` prints and what `uci commit` writes.
 * `\nconfig <type>[ '<name>']\n\toption <name> '<value>'\n ... \n`, single quotes with `'\''`.
 */
import type { UciPackage } from './model.js';

/** libuci's uci_escape: every `'` becomes `'\''`. */
export function escapeValue(s: string): string {
  return s.split("'").join("'\\''");
}

export interface ExportOptions {
  /** Print `package <name>` first (`uci export` does, commit does not). */
  header?: boolean;
  /** Name anonymous sections too (`uci -n`). */
  exportNames?: boolean;
}

/** The exact text libuci writes for a package. */
export function exportPackage(p: UciPackage, opts: ExportOptions = {}): string {
  let out = opts.header ? `package ${escapeValue(p.name)}\n` : '';
  for (const s of p.sections) {
    out += `\nconfig ${escapeValue(s.type)}`;
    if (!s.anonymous || opts.exportNames) out += ` '${escapeValue(s.name)}'`;
    out += '\n';
    for (const o of s.options) {
      if (o.type === 'string') {
        out += `\toption ${escapeValue(o.name)} '${escapeValue(o.value)}'\n`;
      } else {
        for (const v of o.values) out += `\tlist ${escapeValue(o.name)} '${escapeValue(v)}'\n`;
      }
    }
  }
  return out + '\n';
}
