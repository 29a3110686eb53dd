/** metrics: Prometheus text exposition (or the raw reply with --json). */
import { CliError, ExitCode, callMwan, printJson, withBus } from './context.js';
import { toPrometheus } from './prometheus.js';
import type { MwandCommand } from './types.js';

export const metrics: MwandCommand = {
  name: 'metrics',
  args: '',
  help: 'Print metrics in the Prometheus text format',
  async run(args, ctx) {
    if (args.length > 0) throw new CliError(ExitCode.USAGE, `mwan metrics: unexpected argument "${args[0]}"`);
    const r = await withBus(ctx, (bus) => callMwan(bus, 'metrics'));
    if (ctx.json) printJson(ctx, r);
    else ctx.stdout.write(toPrometheus(r));
    return ExitCode.OK;
  },
};
