/** The real backend: nft via nft-json, ip rules/routes via one `ip -batch -` per family, conntrack. */
import { createNftClient, NftError, spawnRunner, type Runner } from 'nft-json';
import { ApplyError } from '../errors.js';
import { TABLE } from '../plan/names.js';
import type { IpFamily } from '../plan/types.js';
import type { DataplaneBackend, IpOp } from './backend.js';
import { ipBatchLine, parseDefaultRoutes, parseIpRules } from './ip-format.js';

export interface KernelBackendOptions {
  /** network namespace to act in (tests, lab); default: the current one */
  netns?: string;
  /** process runner (injectable for tests) */
  runner?: Runner;
}

export interface KernelBackend extends DataplaneBackend {
  /** processes started so far, by tool */
  readonly processes: { nft: number; ip: number; conntrack: number };
}

export function createKernelBackend(opts: KernelBackendOptions = {}): KernelBackend {
  const runner = opts.runner ?? spawnRunner;
  const nft = createNftClient({ runner, ...(opts.netns ? { netns: opts.netns } : {}) });
  const ipPrefix = opts.netns ? ['ip', '-n', opts.netns] : ['ip'];
  const execPrefix = opts.netns ? ['ip', 'netns', 'exec', opts.netns] : [];
  const counts = { ip: 0, conntrack: 0 };
  const fam = (f: IpFamily) => (f === 'ipv4' ? '-4' : '-6');

  async function ip(args: string[], input?: string): Promise<string> {
    counts.ip++;
    const r = await runner([...ipPrefix, ...args], input);
    if (r.code !== 0) throw new ApplyError('APPLY_IP_FAILED', `ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  }

  return {
    get processes() { return { nft: nft.calls, ip: counts.ip, conntrack: counts.conntrack }; },
    async nftApply(commands) {
      try {
        await nft.apply(commands);
      } catch (e) {
        throw new ApplyError('APPLY_NFT_FAILED', e instanceof Error ? e.message : String(e), { cause: e });
      }
    },
    async nftList() {
      try {
        return await nft.listTable(TABLE.family, TABLE.table);
      } catch (e) {
        if (e instanceof NftError && e.code === 'NFT_NOT_FOUND') return null;
        throw new ApplyError('APPLY_READ_FAILED', e instanceof Error ? e.message : String(e), { cause: e });
      }
    },
    async nftListStructure() {
      try {
        const [chains, sets] = await Promise.all([nft.listChains(TABLE.family), nft.listSets(TABLE.family)]);
        const own = <T extends { table: string }>(xs: T[]) => xs.filter((x) => x.table === TABLE.table);
        const rs = { tables: [], chains: own(chains.chains), rules: [], sets: own(sets.sets), maps: [] };
        return rs.chains.length || rs.sets.length ? rs : null;
      } catch (e) {
        throw new ApplyError('APPLY_READ_FAILED', e instanceof Error ? e.message : String(e), { cause: e });
      }
    },
    async ipRules(family) {
      return parseIpRules(family, await ip(['-j', fam(family), 'rule', 'list']));
    },
    async ipRoutes(family) {
      return parseDefaultRoutes(family, await ip(['-j', fam(family), 'route', 'show', 'table', 'all', 'default']));
    },
    async ipApply(family, ops: readonly IpOp[]) {
      if (ops.length === 0) return;
      const lines = ops.map(ipBatchLine);
      await ip([fam(family), '-batch', '-'], lines.join('\n') + '\n');
    },
    async conntrackDelete(mark, mask) {
      let deleted = 0;
      for (const f of ['ipv4', 'ipv6']) {
        counts.conntrack++;
        const r = await runner([...execPrefix, 'conntrack', '-D', '-f', f, '--mark', `${mark >>> 0}/${mask >>> 0}`]);
        // conntrack exits 1 when nothing matched; it reports the count on stderr
        const m = /(\d+) flow entries have been deleted/.exec(r.stderr);
        if (m) deleted += Number(m[1]);
        else if (r.code !== 0) throw new ApplyError('APPLY_IP_FAILED', `conntrack -D failed: ${r.stderr.trim()}`);
      }
      return deleted;
    },
  };
}
