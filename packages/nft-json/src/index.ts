/** nft-json: typed libnftables JSON builders, one-transaction apply via `nft -j -f -`, read-back. */
export * from './types.js';
export * from './expr.js';
export * from './objects.js';
export * from './errors.js';
export { parseListOutput, failingIndexFromStderr } from './parse.js';
export { createNftClient, type NftClient, type NftClientOptions, type ApplyOptions } from './client.js';
export { spawnRunner, netnsPrefix, type Runner, type RunOutput } from './runner.js';
