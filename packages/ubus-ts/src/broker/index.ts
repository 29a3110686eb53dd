/** ubusd-compatible broker. */
export { startBroker, type Broker, type BrokerOptions } from './broker.js';
export type { BusStats } from './bus.js';
export type { PeerCreds, CredsResolver } from './creds.js';
export type { AclLoadReport } from './acl.js';
export { CLIENT_MAX_TXQ_LEN } from './client.js';
