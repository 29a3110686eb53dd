/** Errors of mwan-rtmon and its rtnetlink layer; tests assert on `code`, never on text. */

export class RtmonError extends Error {
  override name = 'RtmonError';
  readonly code: string = 'ERR_RTMON';
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
  }
}

/** A netlink message we could not decode; the entry is ignored, the socket keeps running. */
export class NetlinkDecodeError extends RtmonError {
  override name = 'NetlinkDecodeError';
  override readonly code = 'ERR_NETLINK_DECODE';
  constructor(message: string, readonly messageType: number, opts?: { cause?: unknown }) {
    super(`netlink message type ${messageType}: ${message}`, opts);
  }
}

/** The kernel refused a request (errno in `errno`, e.g. EEXIST, ESRCH, ENETUNREACH). */
export class NetlinkRequestError extends RtmonError {
  override name = 'NetlinkRequestError';
  override readonly code = 'ERR_NETLINK_REQUEST';
  readonly errno: string | undefined;
  constructor(what: string, opts?: { cause?: unknown }) {
    const errno = errnoOf(opts?.cause);
    super(`${what}: ${errno ?? (opts?.cause instanceof Error ? opts.cause.message : String(opts?.cause))}`, opts);
    this.errno = errno;
  }
}

/** Config problem; prints as `file:line: message`. */
export class ConfigError extends RtmonError {
  override name = 'ConfigError';
  override readonly code = 'ERR_CONFIG';
  constructor(message: string, readonly file: string, readonly line: number, readonly field?: string) {
    super(`${file}:${line}: ${field ? `${field}: ` : ''}${message}`);
  }
}

/** `nft` failed or printed something we cannot read. */
export class NftError extends RtmonError {
  override name = 'NftError';
  override readonly code = 'ERR_NFT';
}

/** Command-line flags are wrong. */
export class UsageError extends RtmonError {
  override name = 'UsageError';
  override readonly code = 'ERR_USAGE';
}

function errnoOf(e: unknown): string | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const o = e as { code?: unknown; errno?: unknown };
  if (typeof o.code === 'string') return o.code;
  if (typeof o.errno === 'number') return `errno ${o.errno}`;
  return undefined;
}
