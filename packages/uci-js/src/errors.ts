/**
 * Every error uci-js raises. The codes mirror libuci's UCI_ERR_* values; `uciMessage` is the text
 * `uci` prints for them ("Entry not found", "Parse error (...) at line N, byte M").
 */

export type UciErrorCode =
  | 'ERR_UCI_INVAL'
  | 'ERR_UCI_NOTFOUND'
  | 'ERR_UCI_IO'
  | 'ERR_UCI_PARSE'
  | 'ERR_UCI_DUPLICATE'
  | 'ERR_UCI_LOCKED';

/** libuci's uci_errstr[] for each code. */
export const UCI_ERROR_TEXT: Record<UciErrorCode, string> = {
  ERR_UCI_INVAL: 'Invalid argument',
  ERR_UCI_NOTFOUND: 'Entry not found',
  ERR_UCI_IO: 'I/O error',
  ERR_UCI_PARSE: 'Parse error',
  ERR_UCI_DUPLICATE: 'Duplicate entry',
  ERR_UCI_LOCKED: 'I/O error',
};

/** Base class of all uci-js errors. */
export class UciError extends Error {
  override readonly name: string = 'UciError';
  readonly code: UciErrorCode;
  constructor(code: UciErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? UCI_ERROR_TEXT[code], options);
    this.code = code;
  }
  /** The text `uci` prints after "uci: ". */
  get uciMessage(): string {
    return UCI_ERROR_TEXT[this.code];
  }
}

/**
 * A syntax error in a config file or delta file. `line` is the 1-based physical line the parser
 * was on; `libuciLine`/`byte` are the numbers libuci itself reports (it counts only lines read
 * up to their newline, and `byte` is the offset into the current, possibly continued, line).
 */
export class UciParseError extends UciError {
  override readonly name = 'UciParseError';
  readonly file: string;
  readonly line: number;
  readonly column: number | undefined;
  readonly reason: string;
  readonly libuciLine: number;
  readonly byte: number;
  constructor(
    info: { file: string; line: number; column?: number; reason: string; libuciLine: number; byte: number },
    options?: { cause?: unknown },
  ) {
    super('ERR_UCI_PARSE', `${info.file}:${info.line}: ${info.reason}`, options);
    this.file = info.file;
    this.line = info.line;
    this.column = info.column;
    this.reason = info.reason;
    this.libuciLine = info.libuciLine;
    this.byte = info.byte;
  }
  override get uciMessage(): string {
    return `Parse error (${this.reason}) at line ${this.libuciLine}, byte ${this.byte}`;
  }
}
