/** Errors of netifd-ts; each has a stable `code`. */

export class NetifdError extends Error {
  override name = 'NetifdError';
  readonly code: string = 'ERR_NETIFD';
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
  }
}

/** Bad command line or interface description; `where` names the flag or file:field. */
export class NetifdUsageError extends NetifdError {
  override name = 'NetifdUsageError';
  override readonly code = 'ERR_NETIFD_USAGE';
  constructor(readonly where: string, message: string, opts?: { cause?: unknown }) {
    super(`${where}: ${message}`, opts);
  }
}
