/** The one-shot commands of `ubus`: list, call, send, wait_for (cli.c). */
import { BlobmsgType, type BlobmsgNode } from '../wire/index.js';
import { Status } from '../wire/constants.js';
import type { ObjectInfo } from '../client/types.js';
import { eventLine, statusOf, strerror, type CliContext, type Command } from './context.js';
import { formatJsonElement, formatJsonList } from './json-format.js';
import { parseJsonMessage } from './json-parse.js';
import { listen, monitor, subscribe } from './listen-commands.js';

/** list -v shows argument types by name (cli.c format_type) */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  [BlobmsgType.INT8]: '"Boolean"',
  [BlobmsgType.INT32]: '"Integer"',
  [BlobmsgType.STRING]: '"String"',
  [BlobmsgType.ARRAY]: '"Array"',
  [BlobmsgType.TABLE]: '"Table"',
};

const typeName = (n: BlobmsgNode): string | undefined =>
  n.type === BlobmsgType.INT32 ? (TYPE_NAMES[n.value] ?? '"(unknown)"') : undefined;

/** The lines `ubus list` prints for one object. */
export function listLines(o: ObjectInfo, verbose: boolean): string {
  if (!verbose) return `${o.path}\n`;
  let s = `'${o.path}' @${(o.id >>> 0).toString(16).padStart(8, '0')}\n`;
  for (const m of o.rawSignature) s += `\t${formatJsonElement(m, { custom: typeName })}\n`;
  return s;
}

/** ubus_cli_error: on a non-terminal stderr the whole command line is repeated */
function cliError(ctx: CliContext, cmd: string, args: string[], status: number): number {
  if (!ctx.opts.simple && !ctx.stderrIsTTY) {
    ctx.err(`Command failed: ubus ${cmd} ${args.map((a) => `${a} `).join('')}(${strerror(status)})\n`);
    return -status;
  }
  return status;
}

const list: Command = async (ctx, args) => {
  if (args.length > 1) return -2;
  let objects: ObjectInfo[];
  try {
    objects = await ctx.client.lookup(args[0]);
  } catch (err) {
    return statusOf(err);
  }
  const verbose = !ctx.opts.simple && ctx.opts.verbose > 0;
  for (const o of objects) ctx.out(listLines(o, verbose));
  return 0;
};

const call: Command = async (ctx, args) => {
  if (args.length < 2 || args.length > 3) return -2;
  let msg: BlobmsgNode[] = [];
  if (args.length === 3) {
    const parsed = parseJsonMessage(args[2]!);
    if (!parsed) return cliError(ctx, 'call', args, Status.PARSE_ERROR);
    msg = parsed;
  }
  let id: number;
  try {
    id = await ctx.client.lookupId(args[0]!);
  } catch (err) {
    return statusOf(err);
  }
  const indent = ctx.opts.simple ? -1 : 0;
  try {
    await ctx.client.invoke(id, args[1]!, msg, {
      timeoutMs: ctx.opts.timeoutSec * 1000,
      onData: (data) => ctx.out(formatJsonList(data, false, { indent }) + '\n'),
    });
  } catch (err) {
    return cliError(ctx, 'call', args, statusOf(err));
  }
  return 0;
};

const send: Command = async (ctx, args) => {
  if (args.length < 1 || args.length > 2) return -2;
  let msg: BlobmsgNode[] = [];
  if (args.length === 2) {
    const parsed = parseJsonMessage(args[1]!);
    if (!parsed) return Status.PARSE_ERROR;
    msg = parsed;
  }
  try {
    await ctx.client.sendEvent(args[0]!, msg);
  } catch (err) {
    return statusOf(err);
  }
  return 0;
};

const waitFor: Command = async (ctx, args) => {
  if (args.length < 1) return -2;
  try {
    // a zero timeout still gives the objects one look, as uloop's 0 ms timer does
    await ctx.client.waitFor(args, { timeoutMs: Math.max(ctx.opts.timeoutSec * 1000, 1) });
  } catch (err) {
    return statusOf(err);
  }
  return 0;
};

export const COMMANDS: Readonly<Record<string, Command>> = {
  list,
  call,
  listen,
  subscribe,
  send,
  wait_for: waitFor,
  monitor,
};

export { eventLine };
