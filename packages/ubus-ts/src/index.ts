/** ubus-ts: the ubus wire protocol (codec), client, broker and CLI. */
export * from './wire/index.js';
export * from './errors.js';
export * from './client/index.js';
export * from './broker/index.js';
