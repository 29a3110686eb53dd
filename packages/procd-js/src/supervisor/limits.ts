/**
 * procd applies `limits` with setrlimit() in the child before exec. Node cannot call setrlimit
 * on a child, so procd-ts prefixes the command with util-linux `prlimit`, which sets the limits
 * and execs the command (same pid). Pure: limits in, argv prefix out.
 */
import { ProcdInvalidArgsError } from '../errors.js';

/** procd's rlimit names (instance.c rlimit_names) → prlimit options. */
const PRLIMIT_OPTION: Record<string, string> = {
  as: '--as',
  core: '--core',
  cpu: '--cpu',
  data: '--data',
  fsize: '--fsize',
  memlock: '--memlock',
  nofile: '--nofile',
  nproc: '--nproc',
  rss: '--rss',
  stack: '--stack',
  nice: '--nice',
  rtprio: '--rtprio',
  msgqueue: '--msgqueue',
  sigpending: '--sigpending',
};

/** One limit value as procd reads it: "unlimited", "N" (soft = hard) or "SOFT HARD". */
export function parseLimitValue(value: string, field: string): { soft: string; hard: string } {
  const v = value.trim();
  if (v === 'unlimited') return { soft: 'unlimited', hard: 'unlimited' };
  const parts = v.split(/\s+/);
  const ok = (s: string): boolean => s === 'unlimited' || /^\d+$/.test(s);
  if (parts.length < 1 || parts.length > 2 || !parts.every(ok)) {
    throw new ProcdInvalidArgsError(field, `"${value}" is not "unlimited", "N" or "SOFT HARD"`);
  }
  return { soft: parts[0]!, hard: parts[1] ?? parts[0]! };
}

/** Checks a limits table; throws naming the bad entry. */
export function checkLimits(limits: Record<string, string>, field: string): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!PRLIMIT_OPTION[name]) throw new ProcdInvalidArgsError(`${field}.${name}`, 'unknown resource limit');
    parseLimitValue(value, `${field}.${name}`);
  }
}

/** argv prefix that applies `limits` (empty when there are none). */
export function limitsPrefix(limits: Record<string, string>, prlimitPath: string): string[] {
  const names = Object.keys(limits).sort();
  if (names.length === 0) return [];
  const opts = names.map((n) => {
    const { soft, hard } = parseLimitValue(limits[n]!, `limits.${n}`);
    return `${PRLIMIT_OPTION[n]}=${soft}:${hard}`;
  });
  return [prlimitPath, ...opts, '--'];
}
