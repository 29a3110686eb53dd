import { spawn } from 'node:child_process';

export interface RunOutput { code: number; stdout: string; stderr: string }

/**
 * Runs one process to completion: argv (never a shell string) and optional stdin.
 * Injected into the nft client so tests can record or fake the calls.
 */
export type Runner = (argv: readonly string[], input?: string) => Promise<RunOutput>;

/** The real runner: child_process.spawn with an argument array. */
export const spawnRunner: Runner = (argv, input) =>
  new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => { /* process exited early; its stderr tells why */ });
    child.stdin.end(input ?? '');
  });

/** argv prefix running a command inside a named network namespace (`ip netns exec NAME`). */
export function netnsPrefix(netns: string | undefined): string[] {
  if (netns === undefined) return [];
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(netns)) throw new TypeError(`invalid netns name: ${JSON.stringify(netns)}`);
  return ['ip', 'netns', 'exec', netns];
}
