/**
 * The real SupervisorHost: file digests, ifindexes, pidfiles, users and groups from the files
 * procd would consult (/etc/passwd, /etc/group via getpwnam/getgrnam).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { SupervisorHost } from './supervisor.js';

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Looks `name` up in a colon-separated database (/etc/passwd, /etc/group). */
function lookup(dbPath: string, name: string): string[] | undefined {
  for (const line of readOr(dbPath, '').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return f;
  }
  return undefined;
}

function findInPath(cmd: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(':')) {
    if (!dir) continue;
    try {
      accessSync(`${dir}/${cmd}`, constants.X_OK);
      return `${dir}/${cmd}`;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export interface RealHostOptions {
  /** called when a user/group cannot be applied */
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export function createRealHost(opts: RealHostOptions = {}): SupervisorHost {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => undefined);
  const isRoot = process.getuid?.() === 0;
  return {
    fileDigest(path) {
      try {
        return createHash('md5').update(readFileSync(path)).digest('hex');
      } catch {
        return '';
      }
    },
    ifindex(dev) {
      if (dev.includes('/')) return 0;
      return Number.parseInt(readOr(`/sys/class/net/${dev}/ifindex`, '0'), 10) || 0;
    },
    baseEnv() {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
      return out;
    },
    writePidfile(path, pid) {
      try {
        writeFileSync(path, `${pid}\n`);
      } catch (err) {
        log(`failed to write pidfile ${path}: ${(err as Error).message}`);
      }
    },
    removePidfile(path) {
      rmSync(path, { force: true });
    },
    resolveUser(user) {
      const f = lookup('/etc/passwd', user);
      if (!f) return undefined;
      const ids = { uid: Number(f[2]), gid: Number(f[3]) };
      if (!isRoot) {
        // unprivileged: we cannot switch users; run as ourselves (documented in docs/procd.md)
        if (ids.uid !== process.getuid?.()) log(`user ${user}: not switching users (procd-ts is not root)`);
        return undefined;
      }
      return ids;
    },
    resolveGroup(group) {
      const f = lookup('/etc/group', group);
      if (!f || !isRoot) return undefined;
      return Number(f[2]);
    },
    prlimitPath: findInPath('prlimit', env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'),
  };
}
