/**
 * `node probe-once.js '<json>'`: runs one prober round inside the current namespace and prints
 * the TargetResult as JSON. json = { settings, target, rounds?, echoId? } (settings as --settings).
 */
import { parseSettings } from '../../src/settings.js';
import { createProber } from '../../src/probes/index.js';

import { IcmpProber } from '../../src/probes/icmp.js';

const { settings: raw, target, rounds = 1, echoId } = JSON.parse(process.argv[2]!) as { settings: object; target: string; rounds?: number; echoId?: number };
const s = parseSettings(raw);
const binding = { device: s.device!, srcIp: s.srcIp, mark: s.mark };
// echoId: an ICMP prober with a fixed echo identifier (tests of reply filtering)
const prober = echoId === undefined
  ? createProber(s, binding)
  : new IcmpProber({ family: s.family, binding, size: s.size, ttl: s.maxTtl, count: s.count, timeoutMs: s.timeout * 1000, id: echoId });
for (let i = 0; i < rounds; i++) process.stdout.write(JSON.stringify(await prober.probe(target)) + '\n');
prober.close();
