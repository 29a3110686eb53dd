/**
 * JSON text → blobmsg nodes, as blobmsg_add_json_from_string (json-c + libubox) builds them:
 * the top level must be an object; integers become int32 when they fit, else int64; numbers
 * with a fraction or exponent become double; true/false int8; null unspec. Integer vs double is
 * decided by the text ("1.0" is a double), which JSON.parse cannot tell, hence this parser.
 * Returns null for anything json-c would refuse (text after the object is ignored, as there).
 */
import { BlobmsgType, type BlobmsgNode } from '../wire/index.js';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.pos < this.s.length && ' \t\n\r'.includes(this.s[this.pos]!)) this.pos++;
  }

  value(name: string): BlobmsgNode {
    this.ws();
    const c = this.s[this.pos];
    if (c === '{') return { type: BlobmsgType.TABLE, name, value: this.object() };
    if (c === '[') return { type: BlobmsgType.ARRAY, name, value: this.array() };
    if (c === '"' || c === "'") return { type: BlobmsgType.STRING, name, value: this.string() };
    if (this.s.startsWith('true', this.pos)) return (this.pos += 4), { type: BlobmsgType.INT8, name, value: 1 };
    if (this.s.startsWith('false', this.pos)) return (this.pos += 5), { type: BlobmsgType.INT8, name, value: 0 };
    if (this.s.startsWith('null', this.pos)) return (this.pos += 4), { type: BlobmsgType.UNSPEC, name, value: new Uint8Array(0) };
    return this.number(name);
  }

  object(): BlobmsgNode[] {
    this.pos++; // {
    const out: BlobmsgNode[] = [];
    this.ws();
    if (this.s[this.pos] === '}') return this.pos++, out;
    for (;;) {
      this.ws();
      const q = this.s[this.pos];
      if (q !== '"' && q !== "'") throw new SyntaxError('object key expected');
      const key = this.string();
      this.ws();
      if (this.s[this.pos] !== ':') throw new SyntaxError('":" expected');
      this.pos++;
      const v = this.value(key);
      // json-c keeps one value per key: the last one, in the first one's place
      const at = out.findIndex((n) => n.name === key);
      if (at >= 0) out[at] = v;
      else out.push(v);
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return out;
      if (c !== ',') throw new SyntaxError('"," or "}" expected');
    }
  }

  array(): BlobmsgNode[] {
    this.pos++; // [
    const out: BlobmsgNode[] = [];
    this.ws();
    if (this.s[this.pos] === ']') return this.pos++, out;
    for (;;) {
      out.push(this.value(''));
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return out;
      if (c !== ',') throw new SyntaxError('"," or "]" expected');
    }
  }

  string(): string {
    const quoteChar = this.s[this.pos++]!;
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) throw new SyntaxError('unterminated string');
      const c = this.s[this.pos++]!;
      if (c === quoteChar) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.pos++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case '/': case '\\': case '"': case "'": out += e; break;
        case 'u': {
          const hex = this.s.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxError('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          throw new SyntaxError('bad escape');
      }
    }
  }

  number(name: string): BlobmsgNode {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.pos));
    if (!m || m[0] === '' || m[0] === '-') throw new SyntaxError('value expected');
    this.pos += m[0].length;
    if (m[2] !== undefined || m[3] !== undefined) return { type: BlobmsgType.DOUBLE, name, value: Number(m[0]) };
    let v = BigInt(m[0]);
    // json-c saturates out-of-range integers
    if (v > INT64_MAX) v = INT64_MAX;
    if (v < INT64_MIN) v = INT64_MIN;
    if (v >= -0x80000000n && v <= 0x7fffffffn) return { type: BlobmsgType.INT32, name, value: Number(v) };
    return { type: BlobmsgType.INT64, name, value: v };
  }
}

/** Parses a CLI message argument; null when it is not a JSON object. */
export function parseJsonMessage(text: string): BlobmsgNode[] | null {
  const p = new Parser(text);
  try {
    p.ws();
    if (p.s[p.pos] !== '{') return null;
    // json_tokener_parse stops after the first complete value and ignores what follows
    return p.object();
  } catch {
    return null;
  }
}
