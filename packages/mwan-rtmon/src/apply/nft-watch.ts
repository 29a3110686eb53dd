/**
 * Tells rtmon when table `inet mwan` or one of its sets appears, disappears, or loses elements
 * it did not delete (a flush), from nf_tables' own notifications (NETLINK_NETFILTER, group
 * NFNLGRP_NFTABLES) — no polling. Only message types and names are read.
 */
import netlink from 'netlink';

const NETLINK_NETFILTER = 12;
const NFNLGRP_NFTABLES = 7;
const NFNL_SUBSYS_NFTABLES = 10;
/** nf_tables.h enum nf_tables_msg_types */
const NFT_MSG = { NEWTABLE: 0, DELTABLE: 2, NEWSET: 9, DELSET: 11, DELSETELEM: 14 } as const;
/** attribute 1 is the table name for tables, sets and element lists; 2 the set name */
const ATTR_TABLE = 1;
const ATTR_SET = 2;
const AF_INET_ANY = 1; // NFPROTO_INET

export interface NftChange {
  kind: 'table' | 'set' | 'elements';
  /** set name when kind is set/elements */
  set?: string;
}

/** Parses one nf_tables notification; undefined when it is not about `inet <table>` tables/sets. */
export function parseNftNotification(type: number, payload: Buffer, table: string): NftChange | undefined {
  if (type >> 8 !== NFNL_SUBSYS_NFTABLES || payload.length < 4) return undefined;
  const msg = type & 0xff;
  if (payload[0] !== AF_INET_ANY) return undefined;
  const attrs = new Map<number, string>();
  let off = 4;
  while (off + 4 <= payload.length) {
    const len = payload.readUInt16LE(off);
    const at = payload.readUInt16LE(off + 2) & 0x3fff;
    if (len < 4 || off + len > payload.length) return undefined;
    if (at === ATTR_TABLE || at === ATTR_SET) attrs.set(at, payload.subarray(off + 4, off + len).toString('utf8').replace(/\0+$/, ''));
    off += (len + 3) & ~3;
  }
  if (attrs.get(ATTR_TABLE) !== table) return undefined;
  switch (msg) {
    case NFT_MSG.NEWTABLE: case NFT_MSG.DELTABLE: return { kind: 'table' };
    case NFT_MSG.NEWSET: case NFT_MSG.DELSET: return { kind: 'set', set: attrs.get(ATTR_SET) };
    case NFT_MSG.DELSETELEM: return { kind: 'elements', set: attrs.get(ATTR_SET) };
    default: return undefined;
  }
}

export interface NftWatch {
  close(): void;
}

/** Calls `cb` for every relevant nf_tables change in this namespace. */
export function watchNft(table: string, cb: (c: NftChange) => void, onError: (e: Error) => void = () => {}): NftWatch {
  const sock = netlink.createNetlink(NETLINK_NETFILTER, { ref: true } as Parameters<typeof netlink.createNetlink>[1]);
  sock.addMembership(NFNLGRP_NFTABLES);
  sock.on('message', (msgs: { type: number; data: Buffer }[]) => {
    for (const m of msgs) {
      const c = parseNftNotification(m.type, m.data, table);
      if (c) cb(c);
    }
  });
  // on overrun, report a table change so the listener re-reads everything
  sock.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'ENOBUFS') cb({ kind: 'table' }); else onError(e); });
  return { close: () => { try { sock.close(); } catch { /* closed */ } } };
}
