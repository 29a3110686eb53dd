/**
 * The measured share of new connections per WAN, for `mwan watch`: the dataplane marks every
 * connection it routes via a WAN with that WAN's mark in the conntrack mark (within mmx_mask);
 * between two refreshes, the conntrack entries that were not there before are the new
 * connections, and their marks say which WAN took them. Parsing and counting are pure; only
 * conntrackReader() runs `conntrack -L` (argv, no shell).
 */
import { execFile } from 'node:child_process';

export interface CtEntry {
  /** family + conntrack id: unique among live entries */
  key: string;
  mark: number;
}

/** Lines of `conntrack -L -o id` (any family): the entries with both an id and a mark. */
export function parseConntrack(text: string, family: string): CtEntry[] {
  const out: CtEntry[] = [];
  for (const line of text.split('\n')) {
    // the entry's id is the last id= (icmp tuples have their own "id=" of the echo)
    const id = [...line.matchAll(/ id=(\d+)/g)].at(-1)?.[1];
    const mark = / mark=(\d+)/.exec(line)?.[1];
    if (id === undefined) continue;
    out.push({ key: `${family}:${id}`, mark: mark === undefined ? 0 : Number(mark) });
  }
  return out;
}

export interface WanMark {
  mark: number;
  mask: number;
}

export interface NewConnections {
  /** new connections per WAN (every WAN listed, 0 when none) */
  perWan: Record<string, number>;
  /** new connections via a WAN */
  total: number;
  /** new connections with no WAN's mark (main table, unmarked, local) */
  other: number;
}

/** Connections in `now` that are not in `before`, counted by the WAN whose mark they carry. */
export function countNew(before: ReadonlySet<string>, now: readonly CtEntry[], wans: Record<string, WanMark>): NewConnections {
  const perWan: Record<string, number> = Object.fromEntries(Object.keys(wans).map((n) => [n, 0]));
  let total = 0;
  let other = 0;
  for (const e of now) {
    if (before.has(e.key)) continue;
    const wan = Object.entries(wans).find(([, w]) => w.mark !== 0 && (e.mark & w.mask) === w.mark)?.[0];
    if (wan === undefined) other++;
    else {
      perWan[wan]!++;
      total++;
    }
  }
  return { perWan, total, other };
}

export type ConntrackReader = () => Promise<CtEntry[]>;

function run(argv: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 5000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')}: ${(stderr || err.message).trim().split('\n')[0]}`));
      else resolve(stdout);
    });
  });
}

/** Reads the conntrack table of both families with `<program> -L -f ipv4|ipv6 -o id`. */
export function conntrackReader(program: string): ConntrackReader {
  return async () => {
    const [v4, v6] = await Promise.all([run([program, '-L', '-f', 'ipv4', '-o', 'id']), run([program, '-L', '-f', 'ipv6', '-o', 'id'])]);
    return [...parseConntrack(v4, 'ipv4'), ...parseConntrack(v6, 'ipv6')];
  };
}
