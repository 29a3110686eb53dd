/**
 * `mwan use` planning, no I/O: which cgroup the command runs in and the nft table that marks
 * that cgroup's sockets with the interface's mark (docs/ubus-api.md, "mwan use").
 */
import { findInterface, formatIssue, interfaceRoutingOf, type LoadResult } from 'mwan-config';
import { CliError, ExitCode } from './context.js';

/** Where nft resolves `socket cgroupv2` paths (nftables' SYSFS_CGROUPSV2_PATH). */
export const NFT_CGROUP_ROOT = '/sys/fs/cgroup';
/** Directory of ours under the cgroup v2 root; one child cgroup per `mwan use` process. */
export const CGROUP_PARENT = 'mwan-use';

/** A cgroup v2 mount found in /proc/self/mountinfo. */
export interface Cgroup2Mount {
  /** where it is mounted, e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified */
  mountPoint: string;
  /** the hierarchy path shown at the mount point ("/" = the whole hierarchy) */
  root: string;
}

/** Everything one `mwan use` run creates, and how to undo it. */
export interface UsePlan {
  iface: string;
  mark: number;
  mask: number;
  table: number;
  /** absolute cgroup directory, e.g. /sys/fs/cgroup/mwan-use/1234 */
  cgroupDir: string;
  /** the same cgroup as nft names it (relative to /sys/fs/cgroup) */
  nftCgroupPath: string;
  /** nft table (family inet) of this run only */
  nftTable: string;
  /** `nft -f -` input creating the table */
  nftAdd: string;
  /** `nft -f -` input deleting it */
  nftDelete: string;
}

/** Unescapes mountinfo's octal escapes (\040 for a space). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The cgroup v2 mounts in a /proc/self/mountinfo text, those nft can resolve first. */
export function cgroup2Mounts(mountinfo: string): Cgroup2Mount[] {
  const out: Cgroup2Mount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    if (post.split(' ')[0] !== 'cgroup2') continue;
    const f = pre.split(' ');
    if (f.length < 5) continue;
    out.push({ root: unescape(f[3]!), mountPoint: unescape(f[4]!) });
  }
  const under = (m: Cgroup2Mount) => m.mountPoint === NFT_CGROUP_ROOT || m.mountPoint.startsWith(NFT_CGROUP_ROOT + '/');
  return [...out.filter(under), ...out.filter((m) => !under(m))];
}

const SAFE_PATH = /^[A-Za-z0-9._/-]*$/;

/**
 * Plans a run of `mwan use <iface>` by process `pid`. Throws CliError: exit 1 for a config
 * problem or an unknown/disabled interface, exit 4 when cgroup v2 is missing or mounted where
 * nft cannot name it.
 */
export function planUse(opts: { load: LoadResult; iface: string; pid: number; mounts: readonly Cgroup2Mount[] }): UsePlan {
  const { load, iface, pid } = opts;
  if (!load.config) {
    throw new CliError(ExitCode.FAILED, `mwan use: the config has errors:\n${load.errors.map(formatIssue).join('\n')}`);
  }
  const itf = findInterface(load.config, iface);
  if (!itf) {
    const file = load.config.interfaces[0]?.source.file ?? 'the config';
    throw new CliError(ExitCode.FAILED, `mwan use: interface "${iface}" is not configured in ${file}`);
  }
  if (!itf.enabled) {
    throw new CliError(ExitCode.FAILED, `mwan use: interface "${iface}" is disabled (${itf.source.file}:${itf.source.line}: option enabled '0')`);
  }
  const routing = interfaceRoutingOf(load.config, iface)!;
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`mwan use: bad pid ${pid}`);
  const m = opts.mounts[0];
  if (!m) throw new CliError(ExitCode.NOT_IMPLEMENTED, 'mwan use: cgroup v2 is not mounted (no cgroup2 entry in /proc/self/mountinfo; mount -t cgroup2 none /sys/fs/cgroup)');
  const under = m.mountPoint === NFT_CGROUP_ROOT || m.mountPoint.startsWith(NFT_CGROUP_ROOT + '/');
  if (!under || m.root !== '/' || !SAFE_PATH.test(m.mountPoint)) {
    throw new CliError(
      ExitCode.NOT_IMPLEMENTED,
      `mwan use: cgroup v2 is mounted at ${m.mountPoint} (hierarchy ${m.root}); nft's "socket cgroupv2" needs the whole hierarchy at or below ${NFT_CGROUP_ROOT}`,
    );
  }
  const rel = m.mountPoint.slice(NFT_CGROUP_ROOT.length).replace(/^\//, '');
  const nftCgroupPath = [rel, CGROUP_PARENT, String(pid)].filter(Boolean).join('/');
  const nftTable = `mwan_use_${pid}`;
  const keep = (~routing.mask >>> 0).toString(16).padStart(8, '0');
  const mark = routing.mark.toString(16);
  // level 2: <root>/mwan-use/<pid>; a mark set in a "route" chain makes the kernel route again
  // with it; priority before mwand's output chain (-150), which leaves marked packets alone
  const nftAdd = [
    `table inet ${nftTable} {`,
    '\tchain output {',
    '\t\ttype route hook output priority mangle - 1; policy accept;',
    `\t\tsocket cgroupv2 level 2 "${nftCgroupPath}" meta mark set meta mark & 0x${keep} | 0x${mark}`,
    '\t}',
    '}',
    '',
  ].join('\n');
  return {
    iface,
    mark: routing.mark,
    mask: routing.mask,
    table: routing.table,
    cgroupDir: `${m.mountPoint}/${CGROUP_PARENT}/${pid}`,
    nftCgroupPath,
    nftTable,
    nftAdd,
    nftDelete: `delete table inet ${nftTable}\n`,
  };
}

/** Exit status of a finished child: its code, or 128 + signal number as a shell reports it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null, signals: Record<string, number>): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (signals[signal] ?? 0);
  return ExitCode.FAILED;
}
