/** Stable error codes of mwan-dataplane; callers switch on `code`, never on message text. */
export type DataplaneErrorCode =
  | 'PLAN_BAD_MASK'
  | 'PLAN_TOO_MANY_INTERFACES'
  | 'PLAN_UNKNOWN_REFERENCE'
  | 'PLAN_BAD_VALUE'
  | 'APPLY_BAD_DESIRED'
  | 'APPLY_NFT_FAILED'
  | 'APPLY_IP_FAILED'
  | 'APPLY_READ_FAILED'
  | 'BAD_STATE_FILE'
  | 'NOT_IMPLEMENTED';

export class PlanError extends Error {
  override readonly name = 'PlanError';
  constructor(readonly code: DataplaneErrorCode, message: string, opts: { cause?: unknown; field?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.field = opts.field;
  }
  readonly field: string | undefined;
}

export class ApplyError extends Error {
  override readonly name = 'ApplyError';
  constructor(readonly code: DataplaneErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}
