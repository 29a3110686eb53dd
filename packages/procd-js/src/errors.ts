/**
 * Every error procd-js raises. Each has a stable `code`; callers and tests match on the code,
 * never on the message text.
 */
export type ProcdErrorCode =
  /** a `service` call's arguments are malformed (names the field) */
  | 'ERR_PROCD_INVALID_ARGS'
  /** no such service or instance */
  | 'ERR_PROCD_NOT_FOUND'
  /** sending a signal failed (no permission, no process) */
  | 'ERR_PROCD_SIGNAL'
  /** bad command-line flags of procd-ts */
  | 'ERR_PROCD_USAGE'
  /** something procd does that procd-ts deliberately does not (jails, seccomp...) */
  | 'ERR_PROCD_NOT_IMPLEMENTED';

/** Base class of all procd-js errors. */
export class ProcdError extends Error {
  override readonly name: string = 'ProcdError';
  readonly code: ProcdErrorCode;
  constructor(code: ProcdErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A malformed request; `field` is the dotted path of the offending value (e.g. `instances.a.respawn[1]`). */
export class ProcdInvalidArgsError extends ProcdError {
  override readonly name = 'ProcdInvalidArgsError';
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('ERR_PROCD_INVALID_ARGS', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** A service or instance that does not exist. */
export class ProcdNotFoundError extends ProcdError {
  override readonly name = 'ProcdNotFoundError';
  constructor(what: string, options?: { cause?: unknown }) {
    super('ERR_PROCD_NOT_FOUND', `${what} not found`, options);
  }
}

/** kill(2) failed; `errno` is the symbolic error (EPERM, ESRCH, EINVAL). */
export class ProcdSignalError extends ProcdError {
  override readonly name = 'ProcdSignalError';
  readonly errno: string;
  constructor(errno: string, message: string, options?: { cause?: unknown }) {
    super('ERR_PROCD_SIGNAL', message, options);
    this.errno = errno;
  }
}

/** Bad procd-ts command line. */
export class ProcdUsageError extends ProcdError {
  override readonly name = 'ProcdUsageError';
  constructor(message: string) {
    super('ERR_PROCD_USAGE', message);
  }
}
