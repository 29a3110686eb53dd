/**
 * Every error mwand raises. Each has a stable `code`; tests and callers match on the code,
 * never on message text.
 */
export const MwandErrorCode = {
  /** the configuration could not be loaded or did not validate */
  CONFIG: 'ERR_MWAND_CONFIG',
  /** applying the dataplane failed */
  APPLY: 'ERR_MWAND_APPLY',
  /** a request named an interface that is not configured */
  NO_SUCH_INTERFACE: 'ERR_MWAND_NO_SUCH_INTERFACE',
  /** a request carried a bad argument (address, protocol, port) */
  BAD_ARGUMENT: 'ERR_MWAND_BAD_ARGUMENT',
  /** procd refused or could not be reached */
  PROCD: 'ERR_MWAND_PROCD',
  /** the hook could not be started */
  HOOK: 'ERR_MWAND_HOOK',
  /** a command line flag was wrong */
  USAGE: 'ERR_MWAND_USAGE',
  /** the controller was stopped while a request waited */
  STOPPED: 'ERR_MWAND_STOPPED',
} as const;
export type MwandErrorCode = (typeof MwandErrorCode)[keyof typeof MwandErrorCode];

/** Base class of all mwand errors. */
export class MwandError extends Error {
  override readonly name: string = 'MwandError';
  readonly code: MwandErrorCode;
  constructor(code: MwandErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The configuration is unusable; `errors` are the validator's lines (`file:line: message`). */
export class ConfigRejectedError extends MwandError {
  override readonly name = 'ConfigRejectedError';
  readonly errors: string[];
  constructor(errors: string[], options?: { cause?: unknown }) {
    super(MwandErrorCode.CONFIG, errors.length === 1 ? errors[0]! : `${errors.length} configuration errors:\n${errors.join('\n')}`, options);
    this.errors = errors;
  }
}

/** A request argument is invalid (explain's addresses, an unknown interface...). */
export class BadArgumentError extends MwandError {
  override readonly name = 'BadArgumentError';
  readonly field: string;
  constructor(code: typeof MwandErrorCode.BAD_ARGUMENT | typeof MwandErrorCode.NO_SUCH_INTERFACE, field: string, message: string) {
    super(code, message);
    this.field = field;
  }
}
