/**
 * Who is on the other end of a client socket. ubusd asks the kernel with SO_PEERCRED; Node has
 * no API for that, so on Linux we ask the kernel another way: NETLINK_SOCK_DIAG (unix_diag)
 * gives the peer socket's inode and the uid that created it, and the process holding that
 * inode in /proc/<pid>/fd gives gid and supplementary groups (/proc/<pid>/status, as ubusd
 * reads extra gids). When that is impossible, the broker only trusts its own identity, and it
 * then keeps the socket unreachable by others (mode 0600, see broker.ts).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';

export interface PeerCreds {
  uid: number;
  gid: number;
  /** supplementary groups (ubusd: extra_gid from /proc/<pid>/status Groups:) */
  groups: number[];
  /** user and group names, sent to object owners as UBUS_ATTR_USER / UBUS_ATTR_GROUP */
  user: string;
  group: string;
  pid: number | undefined;
}

/** Resolves a freshly accepted socket's peer; undefined = reject the connection (as ubusd does). */
export type CredsResolver = (socket: Socket) => Promise<PeerCreds | undefined>;

interface NameDb {
  users: Map<number, { name: string; gid: number }>;
  groups: Map<number, { name: string; members: string[] }>;
}

function readDb(passwd: string, group: string): NameDb {
  const users = new Map<number, { name: string; gid: number }>();
  const groups = new Map<number, { name: string; members: string[] }>();
  try {
    for (const line of readFileSync(passwd, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length < 4 || line.startsWith('#')) continue;
      const uid = Number(f[2]);
      if (Number.isInteger(uid) && !users.has(uid)) users.set(uid, { name: f[0]!, gid: Number(f[3]) });
    }
  } catch { /* no passwd: no names */ }
  try {
    for (const line of readFileSync(group, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length < 3 || line.startsWith('#')) continue;
      const gid = Number(f[2]);
      if (Number.isInteger(gid) && !groups.has(gid)) groups.set(gid, { name: f[0]!, members: (f[3] ?? '').split(',').filter(Boolean) });
    }
  } catch { /* no group file */ }
  return { users, groups };
}

/** getpwuid / getgrgid / getpwnam / getgrnam over /etc/passwd and /etc/group. */
export class Names {
  private db: NameDb;
  constructor(private readonly passwd = '/etc/passwd', private readonly group = '/etc/group') {
    this.db = readDb(passwd, group);
  }
  reload(): void {
    this.db = readDb(this.passwd, this.group);
  }
  user(uid: number): { name: string; gid: number } | undefined {
    return this.db.users.get(uid);
  }
  groupName(gid: number): string | undefined {
    return this.db.groups.get(gid)?.name;
  }
  uidOf(name: string): number | undefined {
    for (const [uid, u] of this.db.users) if (u.name === name) return uid;
    return undefined;
  }
  gidOf(name: string): number | undefined {
    for (const [gid, g] of this.db.groups) if (g.name === name) return gid;
    return undefined;
  }
  memberOf(user: string): number[] {
    const out: number[] = [];
    for (const [gid, g] of this.db.groups) if (g.members.includes(user)) out.push(gid);
    return out;
  }
}

/** Builds creds from ids, or undefined when the uid or gid has no name (ubusd refuses those). */
export function credsFromIds(names: Names, uid: number, gid: number, groups: number[], pid: number | undefined): PeerCreds | undefined {
  let u = names.user(uid);
  let g = names.groupName(gid);
  if (!u || g === undefined) {
    names.reload();
    u = names.user(uid);
    g = names.groupName(gid);
  }
  if (!u || g === undefined) return undefined;
  return { uid, gid, groups, user: u.name, group: g, pid };
}

/** The broker's own identity: what every peer is taken to be when peers cannot be told apart. */
export function ownCreds(names: Names): PeerCreds {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return credsFromIds(names, uid, gid, process.getgroups?.() ?? [], process.pid) ?? {
    uid, gid, groups: [], user: String(uid), group: String(gid), pid: process.pid,
  };
}

function socketInode(fd: number): number | undefined {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Processes that connected recently: checked first, since clients tend to reconnect. */
const recentPids: number[] = [];

function holds(pid: number, want: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === want) return true;
    } catch { /* fd closed meanwhile */ }
  }
  return false;
}

/** The process holding a socket inode, found by scanning /proc/<pid>/fd (recent peers first). */
function pidOfInode(ino: number): number | undefined {
  const want = `socket:[${ino}]`;
  const first = [...recentPids, process.pid];
  let found = first.find((pid) => holds(pid, want));
  if (found === undefined) {
    let pids: number[];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
    } catch {
      return undefined;
    }
    // newest processes first: a fresh client is most likely a recent process
    pids.sort((a, b) => b - a);
    found = pids.find((pid) => !first.includes(pid) && holds(pid, want));
  }
  if (found !== undefined) {
    const i = recentPids.indexOf(found);
    if (i >= 0) recentPids.splice(i, 1);
    recentPids.unshift(found);
    if (recentPids.length > 16) recentPids.pop();
  }
  return found;
}

function procStatus(pid: number): { gid: number; groups: number[] } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const gidLine = /^Gid:\s+(\d+)\s+(\d+)/m.exec(text);
    const groupsLine = /^Groups:(.*)$/m.exec(text);
    if (!gidLine) return undefined;
    const groups = (groupsLine?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number).slice(0, 64);
    return { gid: Number(gidLine[2]), groups };
  } catch {
    return undefined;
  }
}

const SOCK_DIAG_BY_FAMILY = 20;
const NETLINK_SOCK_DIAG = 4;
const AF_UNIX = 1;
const UDIAG_SHOW_PEER = 0x04;
const UDIAG_SHOW_UID = 0x40;
const UNIX_DIAG_PEER = 2;
const UNIX_DIAG_UID = 7;

interface DiagSocket {
  request(type: number, data: Uint8Array, opts?: { timeout?: number; checkError?: boolean }): Promise<[{ data: Buffer; type: number }[], unknown]>;
  close(): void;
  unref(): void;
}

/** unix_diag for one inode: its peer inode and owner uid (host byte order structs). */
async function diag(nl: DiagSocket, ino: number): Promise<{ peer?: number; uid?: number }> {
  const req = Buffer.alloc(24);
  req.writeUInt8(AF_UNIX, 0);
  req.writeUInt32LE(0xffffffff, 4);
  req.writeUInt32LE(ino, 8);
  req.writeUInt32LE(UDIAG_SHOW_PEER | UDIAG_SHOW_UID, 12);
  req.writeUInt32LE(0xffffffff, 16);
  req.writeUInt32LE(0xffffffff, 20);
  const [msgs] = await nl.request(SOCK_DIAG_BY_FAMILY, req, { timeout: 1000 });
  const out: { peer?: number; uid?: number } = {};
  const m = msgs.find((x) => x.type === SOCK_DIAG_BY_FAMILY);
  if (!m) return out;
  const d = m.data;
  let pos = 16;
  while (pos + 4 <= d.length) {
    const len = d.readUInt16LE(pos);
    const type = d.readUInt16LE(pos + 2);
    if (len < 4) break;
    if (type === UNIX_DIAG_PEER && len >= 8) out.peer = d.readUInt32LE(pos + 4);
    if (type === UNIX_DIAG_UID && len >= 8) out.uid = d.readUInt32LE(pos + 4);
    pos += (len + 3) & ~3;
  }
  return out;
}

/**
 * A resolver using unix_diag + /proc, or undefined when this host cannot provide it (not Linux,
 * no netlink binding, kernel without UNIX_DIAG_UID). Probed once against a socketpair-like
 * check in the broker: `probe` returns false when resolution does not work.
 */
export async function createProcResolver(names: Names): Promise<{ resolve: CredsResolver; close(): void } | undefined> {
  if (process.platform !== 'linux') return undefined;
  let nl: DiagSocket;
  try {
    const mod = (await import('netlink')) as unknown as { createNetlink(p: number): DiagSocket };
    nl = mod.createNetlink(NETLINK_SOCK_DIAG);
    nl.unref();
  } catch {
    return undefined;
  }
  const resolve: CredsResolver = async (socket) => {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) return undefined;
    const ino = socketInode(fd);
    if (ino === undefined) return undefined;
    const mine = await diag(nl, ino);
    if (mine.peer === undefined || mine.peer === 0) return undefined;
    const peer = await diag(nl, mine.peer);
    if (peer.uid === undefined) return undefined;
    const pid = pidOfInode(mine.peer);
    const st = pid !== undefined ? procStatus(pid) : undefined;
    const pw = names.user(peer.uid);
    const gid = st?.gid ?? pw?.gid ?? peer.uid;
    const groups = st?.groups ?? (pw ? names.memberOf(pw.name) : []);
    return credsFromIds(names, peer.uid, gid, groups, pid);
  };
  return { resolve, close: () => nl.close() };
}
