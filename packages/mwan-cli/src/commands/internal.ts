/** internal [ipv4|ipv6]: mwan3's diagnostic dump (addresses, routes, rules, WAN tables, our nft table). */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CliError, ExitCode, printJson } from './context.js';
import type { MwandCommand } from './types.js';

const DASH = '-------------------------------------------------';

function run(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `(${argv[0]} not available: ${r.error.message})`;
  return (r.stdout ?? '').trimEnd();
}

function release(): string {
  if (!existsSync('/etc/openwrt_release')) return 'unknown';
  const m = /DISTRIB_RELEASE='?([^'\n]*)'?/.exec(readFileSync('/etc/openwrt_release', 'utf8'));
  return m?.[1] || 'unknown';
}

export const internal: MwandCommand = {
  name: 'internal',
  args: '[ipv4|ipv6]',
  help: 'Show internal configuration <default: ipv4>',
  async run(args, ctx) {
    const family = args[0] ?? 'ipv4';
    if (args.length > 1 || (family !== 'ipv4' && family !== 'ipv6')) throw new CliError(ExitCode.USAGE, 'mwan internal: usage: mwan internal [ipv4|ipv6]');
    const ip = family === 'ipv6' ? ['ip', '-6'] : ['ip', '-4'];
    const sections: [string, string][] = [
      ['Software-Version', `OpenWrt - ${release()}`],
      [`Output of "${ip.join(' ')} a show"`, run([...ip, 'a', 'show'])],
      [`Output of "${ip.join(' ')} route show"`, run([...ip, 'route', 'show'])],
      [`Output of "${ip.join(' ')} rule show"`, run([...ip, 'rule', 'show'])],
    ];
    const tables: string[] = [];
    for (let t = 1; t <= 250; t++) {
      const out = run([...ip, 'route', 'list', 'table', String(t)]);
      if (out && !out.startsWith('(')) tables.push(`Routing table ${t}:\n${out}\n`);
    }
    sections.push([`Output of "${ip.join(' ')} route list table 1-250"`, tables.join('\n') || 'No data found']);
    sections.push(['Output of "nft list table inet mwan"', run(['nft', 'list', 'table', 'inet', 'mwan'])]);
    if (ctx.json) {
      printJson(ctx, Object.fromEntries(sections));
      return ExitCode.OK;
    }
    for (const [title, body] of sections) ctx.stdout.write(`${title}\n${DASH}\n${body || 'No data found'}\n\n`);
    return ExitCode.OK;
  },
};
