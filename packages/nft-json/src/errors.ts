import type { Command } from './types.js';

/** Stable error codes; tests and callers switch on these, never on message text. */
export const NftErrorCode = {
  APPLY_FAILED: 'NFT_APPLY_FAILED',
  LIST_FAILED: 'NFT_LIST_FAILED',
  NOT_FOUND: 'NFT_NOT_FOUND',
  BAD_OUTPUT: 'NFT_BAD_OUTPUT',
  SPAWN_FAILED: 'NFT_SPAWN_FAILED',
  INVALID: 'NFT_INVALID',
} as const;
export type NftErrorCode = (typeof NftErrorCode)[keyof typeof NftErrorCode];

export interface NftErrorDetails {
  /** nft's stderr, trimmed */
  stderr?: string;
  /** index of the failing command in the transaction, when known */
  index?: number;
  /** the failing command itself, when known */
  command?: Command;
  cause?: unknown;
}

export class NftError extends Error {
  override readonly name = 'NftError';
  readonly code: NftErrorCode;
  readonly stderr: string | undefined;
  readonly index: number | undefined;
  readonly command: Command | undefined;
  constructor(code: NftErrorCode, message: string, details: NftErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.stderr = details.stderr;
    this.index = details.index;
    this.command = details.command;
  }
}
