/**
 * The lab needs to create network namespaces. As root that just works. Otherwise it re-runs
 * itself inside a new user + network + mount namespace (`unshare -Urnm`), where it is root of its
 * own little world, with a private /run/netns; returns false in the parent (the child did the work).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';

export function ensurePrivileges(argv: string[]): boolean {
  if (process.getuid?.() === 0) {
    if (process.env.MWAN_LAB_USERNS === '1') privateNetnsDir();
    return true;
  }
  const r = spawnSync('unshare', ['-Urnm', '--propagation', 'private', process.execPath, ...argv], { stdio: 'inherit', env: { ...process.env, MWAN_LAB_USERNS: '1' } });
  if (r.error) {
    process.stderr.write(`mwan-lab: not root and cannot create a user namespace (${r.error.message}); run as root\n`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}

/** Inside the user namespace: a writable tmpfs for `ip netns` bind mounts. */
function privateNetnsDir(): void {
  const dir = '/run/netns';
  if (!existsSync(dir)) {
    try { mkdirSync(dir, { recursive: true }); } catch { /* may be read-only; mount below */ }
  }
  spawnSync('mount', ['-t', 'tmpfs', 'mwan-lab-netns', dir], { stdio: 'ignore' });
}
