/** mwan-rtmon: route monitor (WAN table mirroring, connected sets) and the shared rtnetlink layer. */
export * from './errors.js';
export * from './netlink/index.js';
export * from './plan/mirror.js';
export * from './plan/connected.js';
export { staleMwanTables, type IpRuleEntry } from './plan/stale.js';
export { listIpRules, parseIpRules } from './apply/ip-rules.js';
export { nftSetBackend, recordingSetBackend, parseSetListing, elementText, NFT_TABLE, type SetBackend } from './apply/nft-sets.js';
export { watchNft, parseNftNotification, type NftChange, type NftWatch } from './apply/nft-watch.js';
export { Rtmon, systemClock, type Clock, type RtmonDeps, type RtmonEvent, type RtmonStatus, type LogLevel } from './rtmon.js';
export { RtmonService, netifdDevice, RTMON_OBJECT, RTMON_EVENT, type RtmonServiceDeps } from './service.js';
export { loadRtmonConfig, rtmonConfig, rtmonConfigFromText, type RtmonConfig, type RtmonInterface } from './config.js';
export { routeText } from './format.js';
export { parseArgs, type RtmonArgs } from './args.js';
