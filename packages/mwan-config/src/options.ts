/**
 * Every section type and option mwan understands: mwan3's options with mwan3's defaults
 * (inventory section 1, wiki) plus mwan's `balance`. The JSON Schema, the model builder and
 * docs/config.md all follow this one table.
 */

export type OptionKind = 'bool' | 'int' | 'number' | 'mask' | 'enum' | 'string' | 'ip' | 'cidr' | 'port' | 'proto' | 'setname' | 'ifname';

export interface OptionDef {
  /** UCI option name. */
  uci: string;
  /** Model property name. */
  key: string;
  kind: OptionKind;
  /** `list`: may be a UCI list (or one option); `csv`: one option, comma-separated values. */
  multi?: 'list' | 'csv' | 'list+csv';
  min?: number;
  max?: number;
  /** Exclusive lower bound (durations must be > 0). */
  exclusiveMin?: number;
  values?: readonly string[];
  /** Other spellings read as one of `values` (mwan3's names → the ones the model holds). */
  aliases?: Readonly<Record<string, string>>;
  /**
   * Appended to a type or format error when the value looks like a name (letters, digits, dots,
   * dashes): says why names are not looked up and what to write instead.
   */
  nameHint?: string;
  /** Default (in the model's type); `undefined` = none / computed. */
  default?: unknown;
  /** Section must have it. */
  required?: boolean;
  /** One line for docs/config.md. */
  doc: string;
  /** mwan vs mwan3 difference for docs. */
  mwan3?: string;
}

export interface DeprecatedDef {
  uci: string;
  why: string;
}

export interface SectionDef {
  type: 'globals' | 'interface' | 'member' | 'policy' | 'rule';
  options: OptionDef[];
  deprecated: DeprecatedDef[];
}

export const TRACK_METHODS = ['ping', 'arping', 'httping', 'nping-tcp', 'nping-udp', 'nping-icmp', 'nping-arp', 'nslookup'] as const;
/** Accepted (mwan3 has them) but not implemented by mwan-track. None: `arping` / `nping-arp` run through an arping helper (docs/tracker.md). */
export const UNSUPPORTED_TRACK_METHODS: readonly (typeof TRACK_METHODS)[number][] = [];
/** nft's `log level` names: the only ones the model holds (nft rejects the ruleset for any other). */
export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'] as const;
/** mwan3's (syslog-style) spellings of the levels nft names differently. */
export const LOG_LEVEL_ALIASES: Readonly<Record<string, (typeof LOG_LEVELS)[number]>> = { error: 'err', warning: 'warn' };
export const FLUSH_EVENTS = ['ifup', 'ifdown', 'connected', 'disconnected'] as const;
export const LAST_RESORTS = ['unreachable', 'blackhole', 'default'] as const;
export const BALANCE_MODES = ['weighted', 'round_robin', 'src_hash', 'random', 'quality'] as const;
/** Targets a rule may use besides a policy. */
export const BUILTIN_POLICIES = ['default', 'unreachable', 'blackhole'] as const;
/** Protocol names accepted by `proto` (besides `all` and numbers 0-255), as /etc/protocols spells them; read case-insensitively. */
export const PROTO_NAMES = [
  'tcp', 'udp', 'icmp', 'icmpv6', 'ipv6-icmp', 'igmp', 'esp', 'ah', 'gre', 'sctp', 'udplite', 'dccp',
  'ipip', 'ipv6', 'ospf', 'pim', 'vrrp', 'l2tp', 'mpls-in-ip', 'comp', 'etherip', 'encap', 'rsvp',
] as const;

const b = (uci: string, key: string, def: boolean, doc: string, extra: Partial<OptionDef> = {}): OptionDef => ({ uci, key, kind: 'bool', default: def, doc, ...extra });

export const GLOBALS: SectionDef = {
  type: 'globals',
  options: [
    { uci: 'mmx_mask', key: 'mmxMask', kind: 'mask', min: 1, max: 0xffffffff, default: 0x3f00, doc: 'Firewall mark mask; its number of set bits also bounds the interface count (2^bits − 4).', mwan3: 'Same; mwan also rejects configs with more interfaces than the mask allows (mwan3 did not check).' },
    b('logging', 'logging', false, 'Global switch for per-rule logging.'),
    {
      uci: 'loglevel', key: 'loglevel', kind: 'enum', values: LOG_LEVELS, aliases: LOG_LEVEL_ALIASES, default: 'notice',
      doc: "Log level of logged rule matches, as nft names it; mwan3's `error` and `warning` are read as `err` and `warn`.",
      mwan3: "mwan3's `error`/`warning` are accepted and become nft's `err`/`warn` (nft knows no other spelling).",
    },
    {
      uci: 'rt_table_lookup', key: 'rtTableLookup', kind: 'int', multi: 'list', min: 1, max: 0xffffffff, default: [],
      nameHint: 'routing tables are given by number (see /etc/iproute2/rt_tables), names are not looked up',
      doc: 'Extra routing table ids whose routes count as connected networks.', mwan3: 'Numbers only; mwan3 also took names from /etc/iproute2/rt_tables.',
    },
    b('source_routing', 'sourceRouting', false, 'When 0, `from <src>` is stripped from default routes copied into interface tables.'),
  ],
  deprecated: [
    { uci: 'local_source', why: 'removed in mwan3 2.9; router traffic is balanced without it' },
    { uci: 'rtmon_interval', why: 'deprecated since mwan3 2.9.0; route changes are event driven' },
  ],
};

const dur = (uci: string, key: string, def: number | undefined, doc: string): OptionDef => ({
  uci, key, kind: 'number', exclusiveMin: 0, max: 86400, default: def, doc,
  mwan3: 'mwan accepts fractions of a second (e.g. `0.2`); mwan3 only whole seconds.',
});

export const INTERFACE: SectionDef = {
  type: 'interface',
  options: [
    b('enabled', 'enabled', false, 'Use and track this interface.'),
    { uci: 'family', key: 'family', kind: 'enum', values: ['ipv4', 'ipv6'], default: 'ipv4', doc: 'Address family the interface handles.' },
    { uci: 'track_ip', key: 'trackIp', kind: 'ip', multi: 'list', default: [], nameHint: 'host names are not resolved, write the target\'s IP address', doc: 'Hosts probed to decide whether the link works; empty = no tracking (always up). Addresses of the interface family.', mwan3: 'mwan requires IP addresses (no host names).' },
    { uci: 'track_method', key: 'trackMethod', kind: 'enum', values: TRACK_METHODS, default: 'ping', doc: 'Probe method.' },
    b('httping_ssl', 'httpingSsl', false, 'httping over https.'),
    { uci: 'reliability', key: 'reliability', kind: 'int', min: 1, max: 100, default: 1, doc: 'Targets that must answer for a round to succeed.' },
    { uci: 'count', key: 'count', kind: 'int', min: 1, max: 100, default: 1, doc: 'Probes per target per round.' },
    dur('timeout', 'timeout', 4, 'Seconds to wait for an answer.'),
    dur('interval', 'interval', 10, 'Seconds between rounds.'),
    dur('failure_interval', 'failureInterval', undefined, 'Seconds between rounds while failing (default: `interval`).'),
    dur('recovery_interval', 'recoveryInterval', undefined, 'Seconds between rounds while recovering (default: `interval`).'),
    b('keep_failure_interval', 'keepFailureInterval', false, 'Keep `failure_interval` while the interface is down.'),
    { uci: 'down', key: 'down', kind: 'int', min: 1, max: 1000, default: 5, doc: 'Failed rounds in a row that take the interface offline.' },
    { uci: 'up', key: 'up', kind: 'int', min: 1, max: 1000, default: 5, doc: 'Good rounds in a row that bring it back online.' },
    { uci: 'size', key: 'size', kind: 'int', min: 1, max: 65507, default: 56, doc: 'Ping payload bytes (ping only).' },
    { uci: 'max_ttl', key: 'maxTtl', kind: 'int', min: 1, max: 255, default: 60, doc: 'Ping TTL / hop limit (ping only).' },
    b('check_quality', 'checkQuality', false, 'Also judge latency and loss (ping, httping).'),
    { uci: 'failure_latency', key: 'failureLatency', kind: 'int', min: 1, max: 100000, default: 1000, doc: 'ms; a target at or above this is down (check_quality).' },
    { uci: 'recovery_latency', key: 'recoveryLatency', kind: 'int', min: 1, max: 100000, default: 500, doc: 'ms; a target at or below this may be up (check_quality).' },
    { uci: 'failure_loss', key: 'failureLoss', kind: 'int', min: 0, max: 100, default: 40, doc: '%; a target at or above this is down (check_quality).' },
    { uci: 'recovery_loss', key: 'recoveryLoss', kind: 'int', min: 0, max: 100, default: 10, doc: '%; a target at or below this may be up (check_quality).' },
    { uci: 'initial_state', key: 'initialState', kind: 'enum', values: ['online', 'offline'], default: 'online', doc: '`offline`: no traffic until the tracker has seen `up` good rounds.' },
    { uci: 'flush_conntrack', key: 'flushConntrack', kind: 'enum', multi: 'list', values: [...FLUSH_EVENTS, 'always', 'never'], default: [], doc: 'Flush conntrack on these events; legacy `always` = ifup+ifdown, `never` = none (warning).' },
  ],
  deprecated: [],
};

export const MEMBER: SectionDef = {
  type: 'member',
  options: [
    { uci: 'interface', key: 'interface', kind: 'ifname', required: true, doc: 'The mwan interface section this member uses.' },
    { uci: 'metric', key: 'metric', kind: 'int', min: 0, max: 1000, default: 1, doc: 'Lower metric wins within a policy.', mwan3: 'mwan3 skips members with metric > 256 (warning here; mwan uses them).' },
    { uci: 'weight', key: 'weight', kind: 'int', min: 1, max: 1000, default: 1, doc: 'Share among members of equal metric.' },
  ],
  deprecated: [],
};

export const POLICY: SectionDef = {
  type: 'policy',
  options: [
    { uci: 'use_member', key: 'useMember', kind: 'ifname', multi: 'list', default: [], doc: 'Members of this policy.' },
    { uci: 'last_resort', key: 'lastResort', kind: 'enum', values: LAST_RESORTS, default: 'unreachable', doc: 'What happens when no member is online.' },
    { uci: 'balance', key: 'balance', kind: 'enum', values: BALANCE_MODES, default: 'weighted', doc: 'How new connections are spread over the lowest-metric online members.', mwan3: 'mwan extension; mwan3 behaves like `weighted`.' },
  ],
  deprecated: [],
};

const HOST_HINT = 'host names are not resolved; to route by name, give the rule an ipset that dnsmasq fills (nftset=)';
const IP_DIFF = 'Host names are rejected (iptables resolved them once, when the rule was made); use `ipset` + dnsmasq `nftset=`.';
const PORT_HINT = 'service names are not looked up, write the port number (https = 443)';
const PORT_DIFF = 'Service names (`https`) are rejected; write port numbers.';

export const RULE: SectionDef = {
  type: 'rule',
  options: [
    { uci: 'use_policy', key: 'usePolicy', kind: 'ifname', required: true, doc: 'A policy, or `default` (main table), `unreachable`, `blackhole`.' },
    { uci: 'family', key: 'family', kind: 'enum', values: ['ipv4', 'ipv6', 'any'], default: 'any', doc: 'Families the rule applies to.' },
    { uci: 'proto', key: 'proto', kind: 'proto', default: 'all', doc: '`all`, a protocol name (tcp, udp, icmp, ...; any case, stored lower-case) or number 0-255.' },
    {
      uci: 'src_ip', key: 'srcIp', kind: 'cidr', multi: 'list+csv', default: [], nameHint: HOST_HINT,
      doc: 'Source addresses/networks, comma-separated; an IPv4 dotted netmask (`/255.255.255.0`) is stored as its prefix length (`/24`).', mwan3: IP_DIFF,
    },
    {
      uci: 'dest_ip', key: 'destIp', kind: 'cidr', multi: 'list+csv', default: [], nameHint: HOST_HINT,
      doc: 'Destination addresses/networks, comma-separated; dotted netmasks as for `src_ip`.', mwan3: IP_DIFF,
    },
    {
      uci: 'src_port', key: 'srcPort', kind: 'port', multi: 'list+csv', default: [], nameHint: PORT_HINT,
      doc: 'Source ports or ranges (`80`, `1000-2000`, `1000:2000`), comma-separated; tcp/udp only.', mwan3: PORT_DIFF,
    },
    {
      uci: 'dest_port', key: 'destPort', kind: 'port', multi: 'list+csv', default: [], nameHint: PORT_HINT,
      doc: 'Destination ports or ranges, comma-separated; tcp/udp only.', mwan3: PORT_DIFF,
    },
    { uci: 'src_iface', key: 'srcIface', kind: 'ifname', doc: 'Match traffic arriving on this (netifd) interface\'s device.' },
    { uci: 'ipset', key: 'ipset', kind: 'setname', doc: 'Destination must be in this named set; the rule declares the set (mwan creates it, dnsmasq `nftset=` fills it).', mwan3: 'An nft set in table `inet mwan` instead of an ipset.' },
    b('sticky', 'sticky', false, 'Keep a source on the WAN it last used while it keeps connecting within `timeout`.'),
    { uci: 'timeout', key: 'timeout', kind: 'int', min: 1, max: 1000000, default: 600, doc: 'Sticky timeout, seconds.' },
    b('logging', 'logging', false, 'Log matches (needs globals `logging` too).'),
  ],
  deprecated: [],
};

export const SECTIONS: Record<SectionDef['type'], SectionDef> = {
  globals: GLOBALS,
  interface: INTERFACE,
  member: MEMBER,
  policy: POLICY,
  rule: RULE,
};

/** Section types in document order, with the model's array name. */
export const SECTION_LISTS = [
  ['interface', 'interfaces'],
  ['member', 'members'],
  ['policy', 'policies'],
  ['rule', 'rules'],
] as const;
