/**
 * Applies command lists with ONE nft call (one kernel transaction: all or nothing): by default
 * `nft -j -f FILE` on a private temp file (removed afterwards), or `nft -j -f -` with
 * `input: 'stdin'`. Reads tables back with `nft -j list table`. The process runner is injected.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NftError, NftErrorCode } from './errors.js';
import { document } from './objects.js';
import { failingIndexFromStderr, parseListOutput } from './parse.js';
import { netnsPrefix, spawnRunner, type Runner } from './runner.js';
import type { Command, Family, Ruleset } from './types.js';

export interface NftClientOptions {
  /** run nft inside this network namespace (`ip netns exec NAME nft ...`) */
  netns?: string;
  /** process runner; defaults to spawning the real process */
  runner?: Runner;
  /** nft binary, default "nft" */
  nft?: string;
  /**
   * How the document reaches nft. "file" (default) writes a private temp file and runs
   * `nft -j -f FILE`: nft opens "/dev/stdin" by path in JSON mode, which fails when stdin is a
   * socket (as node's child pipes are). "stdin" runs `nft -j -f -` for runners that pipe properly.
   */
  input?: 'file' | 'stdin';
}

export interface ApplyOptions {
  /** validate only (`nft -c`): the kernel checks the transaction and discards it */
  check?: boolean;
  /** on failure, find the failing command by bisecting with check runs (default true) */
  locate?: boolean;
}

export interface NftClient {
  /** Applies all commands in one transaction. An empty list runs nothing. */
  apply(commands: readonly Command[], opts?: ApplyOptions): Promise<void>;
  /** `nft -j list table FAMILY NAME`; NftError code NFT_NOT_FOUND when the table does not exist. */
  listTable(family: Family, name: string): Promise<Ruleset>;
  /** `nft -j list ruleset` */
  listRuleset(): Promise<Ruleset>;
  /** `nft -j list chains FAMILY`: chains of every table of that family, without rules (fast) */
  listChains(family: Family): Promise<Ruleset>;
  /** `nft -t -j list sets FAMILY`: set definitions without their elements (fast) */
  listSets(family: Family): Promise<Ruleset>;
  /** number of nft processes started so far (for benchmarks and no-op checks) */
  readonly calls: number;
}

export function createNftClient(opts: NftClientOptions = {}): NftClient {
  const runner = opts.runner ?? spawnRunner;
  const prefix = [...netnsPrefix(opts.netns), opts.nft ?? 'nft'];
  let calls = 0;

  async function exec(args: string[], input?: string) {
    calls++;
    try {
      return await runner([...prefix, ...args], input);
    } catch (cause) {
      throw new NftError(NftErrorCode.SPAWN_FAILED, `could not run ${prefix.join(' ')}: ${String(cause)}`, { cause });
    }
  }

  async function runDoc(commands: readonly Command[], check: boolean) {
    const flags = check ? ['-c', '-j', '-f'] : ['-j', '-f'];
    const text = JSON.stringify(document(commands));
    if (opts.input === 'stdin') return exec([...flags, '-'], text);
    const dir = mkdtempSync(join(tmpdir(), 'nft-json-'));
    const file = join(dir, 'ruleset.json');
    try {
      writeFileSync(file, text, { mode: 0o600 });
      return await exec([...flags, file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Smallest prefix that fails under `nft -c`: its last command is the offender. */
  async function locate(commands: readonly Command[]): Promise<number | undefined> {
    let lo = 0;
    let hi = commands.length - 1;
    if ((await runDoc(commands, true)).code === 0) return undefined;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((await runDoc(commands.slice(0, mid + 1), true)).code !== 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  return {
    get calls() { return calls; },
    async apply(commands, aopts = {}) {
      if (commands.length === 0) return;
      const r = await runDoc(commands, aopts.check ?? false);
      if (r.code === 0) return;
      const stderr = r.stderr.trim();
      let index = failingIndexFromStderr(stderr);
      if (index === undefined && (aopts.locate ?? true) && commands.length > 1) index = await locate(commands);
      if (index === undefined && commands.length === 1) index = 0;
      const command = index === undefined ? undefined : commands[index];
      const where = command ? ` at command ${index}: ${JSON.stringify(command).slice(0, 400)}` : '';
      throw new NftError(NftErrorCode.APPLY_FAILED, `nft rejected the transaction${where}: ${firstError(stderr)}`, { stderr, index, command });
    },
    async listTable(family, name) {
      const r = await exec(['-j', 'list', 'table', family, name]);
      if (r.code !== 0) {
        const code = /No such file or directory/.test(r.stderr) ? NftErrorCode.NOT_FOUND : NftErrorCode.LIST_FAILED;
        throw new NftError(code, `nft list table ${family} ${name} failed: ${firstError(r.stderr)}`, { stderr: r.stderr.trim() });
      }
      return parseListOutput(r.stdout);
    },
    async listChains(family) {
      const r = await exec(['-j', 'list', 'chains', family]);
      if (r.code !== 0) throw new NftError(NftErrorCode.LIST_FAILED, `nft list chains failed: ${firstError(r.stderr)}`, { stderr: r.stderr.trim() });
      return parseListOutput(r.stdout);
    },
    async listSets(family) {
      const r = await exec(['-t', '-j', 'list', 'sets', family]);
      if (r.code !== 0) throw new NftError(NftErrorCode.LIST_FAILED, `nft list sets failed: ${firstError(r.stderr)}`, { stderr: r.stderr.trim() });
      return parseListOutput(r.stdout);
    },
    async listRuleset() {
      const r = await exec(['-j', 'list', 'ruleset']);
      if (r.code !== 0) throw new NftError(NftErrorCode.LIST_FAILED, `nft list ruleset failed: ${firstError(r.stderr)}`, { stderr: r.stderr.trim() });
      return parseListOutput(r.stdout);
    },
  };
}

function firstError(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => /Error:/.test(l));
  const pick = lines.find((l) => !/Parsing command array/.test(l)) ?? lines[0] ?? stderr.trim();
  return pick.replace(/^.*?Error:\s*/, '');
}
