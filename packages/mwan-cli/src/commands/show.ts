/** status, interfaces, policies, connected, rules: mwan3's text, or the replies with --json. */
import { CliError, ExitCode, callMwan, printJson, withBus, type CliContext } from './context.js';
import { formatConnected, formatInterfaces, formatPolicies, formatRules } from './format.js';
import type { MwandCommand } from './types.js';

type Rec = Record<string, unknown>;

function noArgs(name: string, args: string[]): void {
  if (args.length > 0) throw new CliError(ExitCode.USAGE, `mwan ${name}: unexpected argument "${args[0]}"`);
}

/** Everything `mwan status` shows, in one round of calls. */
export async function fetchStatus(ctx: CliContext): Promise<{ status: Rec; policies: Rec; rules: Rec }> {
  return withBus(ctx, async (bus) => {
    const status = await callMwan(bus, 'status');
    const policies = await callMwan(bus, 'policies');
    const rules = await callMwan(bus, 'rules');
    return { status, policies, rules };
  });
}

export function renderStatus(s: { status: Rec; policies: Rec; rules: Rec }): string {
  return (
    formatInterfaces((s.status.interfaces as Rec) ?? {}) +
    formatPolicies((s.policies.policies as Rec) ?? {}) +
    formatConnected((s.status.connected as Rec) ?? {}) +
    formatRules((s.rules.rules as Rec[]) ?? [])
  );
}

export const status: MwandCommand = {
  name: 'status',
  args: '',
  help: 'Show all status',
  async run(args, ctx) {
    noArgs('status', args);
    const s = await fetchStatus(ctx);
    if (ctx.json) printJson(ctx, { ...s.status, policies: s.policies.policies, rules: s.rules.rules });
    else ctx.stdout.write(renderStatus(s));
    return ExitCode.OK;
  },
};

export const interfaces: MwandCommand = {
  name: 'interfaces',
  args: '',
  help: 'Show interfaces status',
  async run(args, ctx) {
    noArgs('interfaces', args);
    if (ctx.json) {
      printJson(ctx, await withBus(ctx, (bus) => callMwan(bus, 'interfaces')));
      return ExitCode.OK;
    }
    const r = await withBus(ctx, (bus) => callMwan(bus, 'status', { section: 'interfaces' }));
    ctx.stdout.write(formatInterfaces((r.interfaces as Rec) ?? {}));
    return ExitCode.OK;
  },
};

/** A command that shows one mwand method's reply: mwan3's text of the part `pick` takes, or the whole reply with --json. */
function showReply<T>(name: string, help: string, pick: (reply: Rec) => T, format: (part: T) => string): MwandCommand {
  return {
    name,
    args: '',
    help,
    async run(args, ctx) {
      noArgs(name, args);
      const r = await withBus(ctx, (bus) => callMwan(bus, name));
      if (ctx.json) printJson(ctx, r);
      else ctx.stdout.write(format(pick(r)));
      return ExitCode.OK;
    },
  };
}

export const policies = showReply('policies', 'Show currently active policy', (r) => (r.policies as Rec) ?? {}, formatPolicies);
export const connected = showReply('connected', 'Show directly connected networks', (r) => (r.connected as Rec) ?? {}, formatConnected);
export const rules = showReply('rules', 'Show active rules', (r) => (r.rules as Rec[]) ?? [], formatRules);
