/**
 * blobmsg → JSON text exactly as libubox's blobmsg_format_json* prints it (what the stock
 * `ubus` CLI shows): `"name":value` without spaces when not indenting; with indentation, one
 * tab per level, `": "` after names, and the quirk that an empty table prints as "{\n\t\n}".
 * Doubles print as C's "%lf" (six decimals), int8 as true/false, unspec as null.
 */
import { BlobmsgType, type BlobmsgNode } from '../wire/index.js';

/** Replaces the printed value of a node (libubox's blobmsg_json_format_t); undefined = default. */
export type CustomFormat = (node: BlobmsgNode) => string | undefined;

export interface FormatOptions {
  /** starting indent level; negative = no indentation (single line) */
  indent?: number;
  custom?: CustomFormat;
}

class Out {
  parts: string[] = [];
  level: number;
  constructor(
    readonly indent: boolean,
    level: number,
    readonly custom: CustomFormat | undefined,
  ) {
    this.level = level;
  }
  put(s: string): void {
    this.parts.push(s);
  }
  separator(): void {
    // libubox caps the indent at 16 tabs
    if (this.indent) this.put('\n' + '\t'.repeat(Math.min(this.level, 16)));
  }
}

/** A list (table or array content) with braces: blobmsg_format_json(attr, true). */
export function formatJsonList(nodes: readonly BlobmsgNode[], array: boolean, opts: FormatOptions = {}): string {
  const o = new Out((opts.indent ?? -1) >= 0, Math.max(opts.indent ?? 0, 0), opts.custom);
  list(o, nodes, array);
  return o.parts.join('');
}

/** One element with its name: blobmsg_format_json(attr, false). */
export function formatJsonElement(node: BlobmsgNode, opts: FormatOptions = {}): string {
  const o = new Out((opts.indent ?? -1) >= 0, Math.max(opts.indent ?? 0, 0), opts.custom);
  element(o, node, false);
  return o.parts.join('');
}

function list(o: Out, nodes: readonly BlobmsgNode[], array: boolean): void {
  o.put(array ? '[' : '{');
  o.level++;
  o.separator();
  nodes.forEach((n, i) => {
    if (i > 0) {
      o.put(',');
      o.separator();
    }
    element(o, n, array);
  });
  o.level--;
  o.separator();
  o.put(array ? ']' : '}');
}

function element(o: Out, n: BlobmsgNode, withoutName: boolean): void {
  if (!withoutName && n.name !== '') {
    o.put(quote(n.name));
    o.put(o.indent ? ': ' : ':');
  }
  const custom = o.custom?.(n);
  if (custom !== undefined) return o.put(custom);
  switch (n.type) {
    case BlobmsgType.UNSPEC:
      return o.put('null');
    case BlobmsgType.INT8:
      return o.put(n.value !== 0 ? 'true' : 'false');
    case BlobmsgType.INT16:
    case BlobmsgType.INT32:
      return o.put(String(n.value));
    case BlobmsgType.INT64:
      return o.put(n.value.toString());
    case BlobmsgType.DOUBLE:
      return o.put(formatDouble(n.value));
    case BlobmsgType.STRING:
      return o.put(quote(n.value));
    case BlobmsgType.ARRAY:
      return list(o, n.value, true);
    case BlobmsgType.TABLE:
      return list(o, n.value, false);
  }
}

/** C printf("%lf") */
export function formatDouble(v: number): string {
  if (Number.isNaN(v)) return v < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(v)) return v < 0 ? '-inf' : 'inf';
  if (Math.abs(v) < 1e21) return v.toFixed(6);
  // toFixed switches to exponent notation here; printf does not
  return BigInt(Math.trunc(v)).toString() + '.000000';
}

/** blobmsg_format_string: escapes \b \n \t \r " \\ and other control bytes as \u00xx */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '\b':
        out += '\\b';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\r':
        out += '\\r';
        break;
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      default:
        out += c < 0x20 ? '\\u00' + c.toString(16).padStart(2, '0') : ch;
    }
  }
  return out + '"';
}
