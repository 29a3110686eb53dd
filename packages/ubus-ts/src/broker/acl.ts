/**
 * ubusd's access control (ubusd_acl.c): JSON files `<dir>/*.json`, each for one `user` or
 * `group`, granting `access` {object-pattern: {methods: [...]}} and the `publish`, `subscribe`,
 * `listen` and `send` pattern lists. Checks apply to non-root peers only; a peer matching no
 * grant is denied. Files not owned by root:root, or writable by group/others, or executable by
 * others, are skipped as ubusd skips them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SortedPrefixList, parsePattern } from './prefix-match.js';
import type { Names, PeerCreds } from './creds.js';

export type AclType = 'access' | 'publish' | 'subscribe' | 'listen' | 'send';

interface AclEntry {
  key: string;
  partial: boolean;
  /** -1 = not matched on uid */
  uid: number;
  gid: number;
  user: string | undefined;
  group: string | undefined;
  methods: unknown[] | undefined;
  priv: unknown;
  flags: Set<AclType>;
}

export interface AclLoadReport {
  loaded: string[];
  /** file → why it was skipped */
  skipped: Record<string, string>;
}

export class Acl {
  private entries = new SortedPrefixList<AclEntry>();
  /** ubusd_acl_seq: bumped on every (re)load that found files */
  seq = 0;

  constructor(private readonly names: Names) {}

  /** ubusd_acl_load: replaces the rules when the directory holds *.json files; else keeps them. */
  load(dir: string, opts: { checkOwner?: boolean } = {}): AclLoadReport | undefined {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
    } catch {
      return undefined;
    }
    if (files.length === 0) return undefined;
    this.names.reload();
    const report: AclLoadReport = { loaded: [], skipped: {} };
    const next = new SortedPrefixList<AclEntry>();
    for (const file of files) {
      let st;
      try {
        st = statSync(file);
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      if ((opts.checkOwner ?? true) && (st.uid !== 0 || st.gid !== 0)) {
        report.skipped[file] = 'wrong owner';
        continue;
      }
      if (st.mode & 0o023) {
        report.skipped[file] = 'wrong permissions';
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        report.skipped[file] = `failed to parse: ${(err as Error).message}`;
        continue;
      }
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        report.skipped[file] = 'failed to parse: not a JSON object';
        continue;
      }
      this.addFile(next, json as Record<string, unknown>);
      report.loaded.push(file);
    }
    this.entries = next;
    this.seq++;
    return report;
  }

  private addFile(list: SortedPrefixList<AclEntry>, f: Record<string, unknown>): void {
    let uid = -1;
    let gid = -1;
    let user: string | undefined;
    let group: string | undefined;
    if (typeof f.user === 'string') {
      user = f.user;
      uid = this.names.uidOf(user) ?? 0;
    } else if (typeof f.group === 'string') {
      group = f.group;
      gid = this.names.gidOf(group) ?? 0;
    } else {
      return;
    }
    const add = (pattern: string, fill: (e: AclEntry) => void): void => {
      if (pattern.length === 0) return;
      const { key, partial } = parsePattern(pattern);
      const e: AclEntry = { key, partial, uid, gid, user, group, methods: undefined, priv: undefined, flags: new Set() };
      fill(e);
      list.insert(e);
    };
    const access = f.access;
    if (access && typeof access === 'object' && !Array.isArray(access)) {
      for (const [pattern, spec] of Object.entries(access as Record<string, unknown>)) {
        if (!spec || typeof spec !== 'object' || Array.isArray(spec)) continue;
        const s = spec as Record<string, unknown>;
        const methods = Array.isArray(s.methods) ? s.methods : undefined;
        const tags = Array.isArray(s.tags) ? s.tags : undefined;
        const priv = s.acl && typeof s.acl === 'object' && !Array.isArray(s.acl) ? s.acl : undefined;
        if (!methods && !tags && !priv) continue;
        add(pattern, (e) => {
          e.methods = methods;
          e.priv = priv;
          e.flags.add('access');
        });
      }
    }
    for (const kind of ['subscribe', 'publish', 'listen', 'send'] as const) {
      const arr = f[kind];
      if (!Array.isArray(arr)) continue;
      for (const p of arr) if (typeof p === 'string') add(p, (e) => e.flags.add(kind));
    }
  }

  /** ubusd_acl_check: true when allowed. `creds` undefined = the broker itself. */
  allowed(creds: PeerCreds | undefined, obj: string | undefined, method: string | undefined, type: AclType): boolean {
    if (!creds || creds.uid === 0 || obj === undefined) return true;
    for (const e of this.entries.matches(obj)) {
      if (!matchCred(creds, e)) continue;
      if (type === 'access') {
        if (e.methods) for (const m of e.methods) if (typeof m === 'string' && (m === method || m === '*')) return true;
      } else if (e.flags.has(type)) {
        return true;
      }
    }
    return false;
  }

  /** The `acl` blocks granted on `path` (for the acl object's `query`). */
  privFor(path: string): { obj: string; user?: string; group?: string; acl: unknown }[] {
    const out: { obj: string; user?: string; group?: string; acl: unknown }[] = [];
    for (const e of this.entries.matches(path)) {
      if (e.priv === undefined) continue;
      out.push({ obj: path, ...(e.user ? { user: e.user } : {}), ...(e.group ? { group: e.group } : {}), acl: e.priv });
    }
    return out;
  }
}

function matchCred(c: PeerCreds, e: AclEntry): boolean {
  if (e.uid !== -1 && c.uid === e.uid) return true;
  if (e.gid !== -1) {
    if (c.gid === e.gid) return true;
    if (c.groups.includes(e.gid)) return true;
  }
  return false;
}
