/**
 * Element-level access to rtmon's sets in table `inet mwan` through `nft -j` (argument arrays,
 * JSON as one argument). Only elements are added and deleted; sets and the table are never created,
 * replaced or flushed — mwand owns them.
 */
import { spawn } from 'node:child_process';
import { NftError } from '../errors.js';
import { parsePrefix, prefixText } from '../netlink/ip.js';
import type { SetName } from '../plan/connected.js';

export interface SetBackend {
  /** current elements (canonical prefix text), or undefined when the table or set does not exist */
  list(set: SetName): Promise<string[] | undefined>;
  /** deletes then adds elements in one nft transaction */
  apply(set: SetName, add: readonly string[], del: readonly string[]): Promise<void>;
}

export const NFT_TABLE = { family: 'inet', name: 'mwan' } as const;

function runNft(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('nft', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: String(e) }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** nft JSON element → canonical prefix text; undefined for shapes we cannot represent. */
export function elementText(e: unknown): string | undefined {
  if (typeof e === 'string') return parsePrefix(e) ? prefixText(parsePrefix(e)!.addr, parsePrefix(e)!.len) : undefined;
  if (!e || typeof e !== 'object') return undefined;
  const o = e as { prefix?: { addr?: unknown; len?: unknown }; elem?: { val?: unknown } };
  if (o.prefix && typeof o.prefix.addr === 'string' && typeof o.prefix.len === 'number') {
    const p = parsePrefix(`${o.prefix.addr}/${o.prefix.len}`);
    return p ? prefixText(p.addr, p.len) : undefined;
  }
  if (o.elem && 'val' in o.elem) return elementText(o.elem.val);
  return undefined;
}

function elementJson(text: string): unknown {
  const p = parsePrefix(text);
  if (!p) throw new NftError(`invalid set element ${JSON.stringify(text)}`);
  const full = p.family === 4 ? 32 : 128;
  return p.len === full ? p.addr : { prefix: { addr: p.addr, len: p.len } };
}

/** Parses `nft -j list set` output into element texts (pure, for tests). */
export function parseSetListing(json: string, set: string): string[] {
  let doc: unknown;
  try { doc = JSON.parse(json); } catch (cause) { throw new NftError(`nft list set ${set}: output is not JSON`, { cause }); }
  const items = (doc as { nftables?: unknown[] })?.nftables;
  if (!Array.isArray(items)) throw new NftError(`nft list set ${set}: no "nftables" array`);
  for (const it of items) {
    const s = (it as { set?: { name?: unknown; elem?: unknown[] } }).set;
    if (!s || s.name !== set) continue;
    const out: string[] = [];
    for (const e of s.elem ?? []) {
      const t = elementText(e);
      if (t === undefined) throw new NftError(`nft list set ${set}: element ${JSON.stringify(e)} is not an address or prefix`);
      out.push(t);
    }
    return out;
  }
  throw new NftError(`nft list set ${set}: set missing from output`);
}

export function nftSetBackend(table: { family: string; name: string } = NFT_TABLE): SetBackend {
  return {
    async list(set) {
      const r = await runNft(['-j', 'list', 'set', table.family, table.name, set]);
      if (r.code !== 0) {
        if (/No such file or directory|does not exist/i.test(r.stderr)) return undefined;
        throw new NftError(`nft list set ${table.family} ${table.name} ${set}: ${r.stderr.trim()}`);
      }
      return parseSetListing(r.stdout, set);
    },
    async apply(set, add, del) {
      if (add.length === 0 && del.length === 0) return;
      // keep one argument well under the kernel's 128 KiB per-argument limit
      const CHUNK = 1500;
      if (add.length + del.length > CHUNK) {
        for (let i = 0; i < del.length; i += CHUNK) await this.apply(set, [], del.slice(i, i + CHUNK));
        for (let i = 0; i < add.length; i += CHUNK) await this.apply(set, add.slice(i, i + CHUNK), []);
        return;
      }
      const target = { family: table.family, table: table.name, name: set };
      const cmds: unknown[] = [];
      if (del.length) cmds.push({ delete: { element: { ...target, elem: del.map(elementJson) } } });
      if (add.length) cmds.push({ add: { element: { ...target, elem: add.map(elementJson) } } });
      // JSON as an argument: nft cannot read /dev/stdin when it is node's socketpair
      const r = await runNft(['-j', JSON.stringify({ nftables: cmds })]);
      if (r.code !== 0) throw new NftError(`nft update ${set} (+${add.length} -${del.length}): ${r.stderr.trim()}`);
    },
  };
}

/** A SetBackend that keeps elements in memory and records every call (tests, dry runs). */
export function recordingSetBackend(initial: Partial<Record<SetName, string[]>> = {}): SetBackend & { calls: { set: SetName; add: string[]; del: string[] }[]; sets: Map<SetName, Set<string>> } {
  const sets = new Map<SetName, Set<string>>(Object.entries(initial).map(([k, v]) => [k as SetName, new Set(v)]));
  const calls: { set: SetName; add: string[]; del: string[] }[] = [];
  return {
    calls,
    sets,
    async list(set) { const s = sets.get(set); return s ? [...s] : undefined; },
    async apply(set, add, del) {
      const s = sets.get(set);
      if (!s) throw new NftError(`set ${set} does not exist`);
      calls.push({ set, add: [...add], del: [...del] });
      for (const e of del) s.delete(e);
      for (const e of add) s.add(e);
    },
  };
}
