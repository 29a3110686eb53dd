/**
 * Cross-process lock for one package. libuci flock()s the config file; Node has no flock, so we
 * hold a lock file `<confdir>/.<name>.uci-lock` holding our pid. It is written to a private temp
 * file first and hard-linked into place (link fails if the lock exists), so a lock file is never
 * seen empty. A lock whose owner process is gone is taken over. Waiting is bounded.
 */
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { UciError } from './errors.js';

export interface LockOptions {
  /** Give up after this many milliseconds (default 5000). */
  timeoutMs?: number;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the lock at `path` if its owner is dead; true when it was removed (or is gone). */
function removeIfStale(path: string): boolean {
  try {
    const before = statSync(path).ino;
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (pidAlive(pid)) return false;
    // only remove the very file we judged: a new owner's lock has another inode
    if (statSync(path).ino !== before) return false;
    unlinkSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw new UciError('ERR_UCI_IO', `cannot inspect lock ${path}`, { cause: e });
  }
}

/** Take the lock at `path`; returns the release function. Throws ERR_UCI_LOCKED on timeout. */
export function acquireLock(path: string, opts: LockOptions = {}): () => void {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  let wait = 2;
  for (;;) {
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      writeFileSync(tmp, String(process.pid), { mode: 0o600, flag: 'wx' });
      try {
        linkSync(tmp, path);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // already gone: nothing to release
          }
        };
      } finally {
        unlinkSync(tmp);
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UciError('ERR_UCI_IO', `cannot create lock ${path}: ${code}`, { cause: e });
    }
    if (removeIfStale(path)) continue;
    if (Date.now() >= deadline) throw new UciError('ERR_UCI_LOCKED', `lock ${path} is held`);
    sleepSync(wait);
    wait = Math.min(wait * 2, 50);
  }
}
