/**
 * libuci's line buffer and argument scanner (file.c: uci_getln, parse_str, next_arg), re-stated
 * over a JS string. libuci reads one line at a time into a buffer; a backslash before the newline
 * or an open quote pulls the next line into the same buffer, so a value may span lines. Tokens
 * are shell-like: quoted and unquoted pieces concatenate, `\x` outside single quotes is `x`,
 * `#` outside quotes starts a comment, `;` ends a command.
 */
import { UciParseError } from './errors.js';

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

export class LineBuffer {
  /** Current (possibly multi-line) buffer. */
  buf = '';
  pos = 0;
  /** libuci's buf_filled. */
  filled = 0;
  /** libuci's line counter: lines read up to and including their newline. */
  uciLine = 0;
  /** 1-based number of the last physical line read. */
  physLine = 0;
  private readonly text: string;
  private at = 0;
  readonly file: string;

  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
  }

  get eof(): boolean {
    return this.at >= this.text.length;
  }

  cur(): string {
    return this.buf[this.pos] ?? '';
  }

  charAt(i: number): string {
    return this.buf[i] ?? '';
  }

  /** uci_getln: read the next line into the buffer at `offset`, dropping what was there. */
  getln(offset: number): void {
    this.buf = this.buf.slice(0, offset);
    if (this.eof) return;
    const nl = this.text.indexOf('\n', this.at);
    const end = nl < 0 ? this.text.length : nl + 1;
    const line = this.text.slice(this.at, end);
    this.at = end;
    this.buf += line;
    this.filled = this.buf.length;
    this.physLine += 1;
    if (line.endsWith('\n')) this.uciLine += 1;
  }

  /** Everything not read yet (a stream handed on to another reader); the buffer is then at EOF. */
  rest(): string {
    const r = this.text.slice(this.at);
    this.at = this.text.length;
    return r;
  }

  /** Start a fresh line (uci_import's loop). */
  nextLine(): void {
    this.pos = 0;
    this.buf = '';
    this.getln(0);
  }

  /** Cut the buffer at the cursor (libuci writes a NUL there). */
  truncateHere(): void {
    this.buf = this.buf.slice(0, this.pos);
  }

  skipWhitespace(): void {
    while (this.pos < this.buf.length && isSpace(this.cur())) this.pos += 1;
  }

  error(reason: string): UciParseError {
    const single = !this.buf.slice(0, Math.max(0, this.buf.length - 1)).includes('\n');
    return new UciParseError({
      file: this.file,
      line: Math.max(1, this.physLine),
      column: single ? this.pos + 1 : undefined,
      reason,
      libuciLine: this.uciLine,
      // libuci counts bytes; the buffer holds UTF-16 code units
      byte: Buffer.byteLength(this.buf.slice(0, this.pos), 'utf8'),
    });
  }

  /** parse_backslash: false when it was a line continuation (next line joined). */
  private backslash(): boolean {
    this.pos += 1;
    const c = this.cur();
    if (c === '' || c === '\n' || (c === '\r' && this.charAt(this.pos + 1) === '\n' && this.charAt(this.pos + 2) === '')) {
      this.getln(this.pos);
      return false;
    }
    return true;
  }

  private doubleQuoted(): string {
    let out = '';
    this.pos += 1;
    for (;;) {
      const c = this.cur();
      if (c === '"') {
        this.pos += 1;
        return out;
      }
      if (c === '') {
        this.getln(this.pos);
        if (this.cur() === '') throw this.error('EOF with unterminated "');
        continue;
      }
      if (c === '\\' && !this.backslash()) continue;
      out += this.cur();
      this.pos += 1;
    }
  }

  private singleQuoted(): string {
    let out = '';
    this.pos += 1;
    for (;;) {
      const c = this.cur();
      if (c === "'") {
        this.pos += 1;
        return out;
      }
      if (c === '') {
        this.getln(this.pos);
        if (this.cur() === '') throw this.error("EOF with unterminated '");
        continue;
      }
      out += c;
      this.pos += 1;
    }
  }

  /** parse_str: one argument, quoting pieces concatenated. */
  private parseStr(): string {
    let out = '';
    let next = true;
    const start = this.pos;
    scan: do {
      const c = this.cur();
      switch (c) {
        case "'":
          out += this.singleQuoted();
          break;
        case '"':
          out += this.doubleQuoted();
          break;
        case '#':
          this.truncateHere();
          break scan;
        case '':
          break scan;
        case ';':
          next = false;
          // libuci copies the argument in place and NUL-terminates it at the write position;
          // when nothing was dropped (no quotes, no escapes) that NUL lands on the ';' itself,
          // so the rest of the line is lost (`config b y; option k v` has no option k).
          if (start + out.length === this.pos) this.truncateHere();
          break scan;
        case '\\':
          if (!this.backslash()) continue;
          out += this.cur();
          this.pos += 1;
          break;
        default:
          out += c;
          this.pos += 1;
      }
    } while (this.cur() !== '' && !isSpace(this.cur()));
    if (this.cur() !== '' && next) this.pos += 1;
    return out;
  }

  /** next_arg: the next argument, '' at end of command. */
  nextArg(required: boolean, validate?: (s: string) => boolean): string {
    this.skipWhitespace();
    let val: string;
    if (this.cur() === ';') {
      // an empty argument: libuci steps over the ';'
      this.pos += 1;
      val = '';
    } else {
      val = this.parseStr();
    }
    if (val === '') {
      if (required) throw this.error('insufficient arguments');
      return val;
    }
    if (validate && !validate(val)) throw this.error('invalid character in name field');
    return val;
  }

  /** assert_eol: nothing but a comment or `;` may follow (strict mode). */
  assertEol(strict: boolean): void {
    this.skipWhitespace();
    const extra = this.nextArg(false);
    if (extra !== '' && strict) throw this.error('too many arguments');
  }

  /**
   * strtok(cur, " \t"): the next command word, or null at end of line. `end` is the index just
   * after the word; the caller steps to end + 1 (libuci's uci_increase_pos) unless `missing`
   * says nothing can follow (libuci's "<cmd> without name").
   */
  commandWord(): { word: string; end: number; missing: boolean } | null {
    let i = this.pos;
    while (i < this.buf.length && (this.buf[i] === ' ' || this.buf[i] === '\t')) i += 1;
    if (i >= this.buf.length) return null;
    let j = i;
    while (j < this.buf.length && this.buf[j] !== ' ' && this.buf[j] !== '\t') j += 1;
    return { word: this.buf.slice(i, j), end: j, missing: j + 1 > this.filled };
  }
}
