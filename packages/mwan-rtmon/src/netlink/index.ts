/** The rtnetlink layer shared by mwan-rtmon and netifd-ts: `import { openRtnl } from 'mwan-rtmon/netlink/index'`. */
export * from './types.js';
export * from './ip.js';
export { openRtnl, type Rtnl, type RtnlOptions } from './socket.js';
export { decodeMessage, decodeRoute, decodeAddress, decodeLink, multipathDevices, RTM } from './decode.js';
export { encodeNewRoute, encodeDelRoute } from './encode.js';
