/** ifup, ifdown (administrative) and reload. */
import { CliError, ExitCode, callMwan, printJson, withBus } from './context.js';
import type { MwandCommand } from './types.js';

function adminCommand(action: 'ifup' | 'ifdown', help: string): MwandCommand {
  return {
    name: action,
    args: '<iface>',
    help,
    async run(args, ctx) {
      if (args.length !== 1) throw new CliError(ExitCode.USAGE, `mwan ${action}: expecting one interface. Usage: mwan ${action} <interface>`);
      const r = await withBus(ctx, (bus) => callMwan(bus, action, { interface: args[0]! }));
      if (ctx.json) printJson(ctx, r);
      else ctx.stdout.write(`interface ${args[0]} is ${String(r.status)}${r.admin_down ? ' (administratively down)' : ''}\n`);
      return ExitCode.OK;
    },
  };
}

export const ifup: MwandCommand = adminCommand('ifup', 'Load rules and routes for specific interface');
export const ifdown: MwandCommand = adminCommand('ifdown', 'Unload rules and routes for specific interface');

export const reload: MwandCommand = {
  name: 'reload',
  args: '',
  help: 'Apply the changed configuration (unchanged parts keep running)',
  async run(args, ctx) {
    if (args.length > 0) throw new CliError(ExitCode.USAGE, `mwan reload: unexpected argument "${args[0]}"`);
    const r = await withBus(ctx, (bus) => callMwan(bus, 'reload'));
    if (ctx.json) {
      printJson(ctx, r);
      return r.result === 'error' ? ExitCode.FAILED : ExitCode.OK;
    }
    if (r.result === 'error') {
      ctx.stderr.write(`mwan: reload rejected, the running setup is unchanged:\n${((r.errors as string[]) ?? []).join('\n')}\n`);
      return ExitCode.FAILED;
    }
    if (r.result === 'noop') {
      ctx.stdout.write('reload: nothing changed\n');
      return ExitCode.OK;
    }
    const t = (r.trackers ?? {}) as Record<string, string[]>;
    const part = (k: string, label: string): string | undefined => (t[k]?.length ? `${label} ${t[k]!.join(',')}` : undefined);
    const parts = [part('keep', 'kept'), part('replace', 'restarted'), part('start', 'started'), part('stop', 'stopped')].filter(Boolean);
    ctx.stdout.write(`reload: applied${parts.length ? ` (trackers: ${parts.join('; ')})` : ''}\n`);
    return ExitCode.OK;
  },
};
