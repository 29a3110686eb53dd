export * from './constants.js';
export * from './blobmsg.js';
export * from './message.js';
export * from './decoder.js';
