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

export const policies: MwandCommand = {
  name: 'policies',
  args: '',
  help: 'Show currently active policy',
  async run(args, ctx) {
    noArgs('policies', args);
    const r = await withBus(ctx, (bus) => callMwan(bus, 'policies'));
    if (ctx.json) printJson(ctx, r);
    else ctx.stdout.write(formatPolicies((r.policies as Rec) ?? {}));
    return ExitCode.OK;
  },
};

export const connected: MwandCommand = {
  name: 'connected',
  args: '',
  help: 'Show directly connected networks',
  async run(args, ctx) {
    noArgs('connected', args);
    const r = await withBus(ctx, (bus) => callMwan(bus, 'connected'));
    if (ctx.json) printJson(ctx, r);
    else ctx.stdout.write(formatConnected((r.connected as Rec) ?? {}));
    return ExitCode.OK;
  },
};

export const rules: MwandCommand = {
  name: 'rules',
  args: '',
  help: 'Show active rules',
  async run(args, ctx) {
    noArgs('rules', args);
    const r = await withBus(ctx, (bus) => callMwan(bus, 'rules'));
    if (ctx.json) printJson(ctx, r);
    else ctx.stdout.write(formatRules((r.rules as Rec[]) ?? []));
    return ExitCode.OK;
  },
};
