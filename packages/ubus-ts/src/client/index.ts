/** ubus client: `import { connect } from 'ubus-ts/client'`. */
export { connect, DEFAULT_TIMEOUT_MS } from './client.js';
export { systemClock } from '../clock.js';
export { unixTransport, DEFAULT_SOCKET_PATH, type Link, type Transport } from './transport.js';
export { Connection, type RequestResult, type RequestOptions } from './connection.js';
export { buildSignature, parseSignature, policyViolation } from './signature.js';
export type * from './types.js';
