/** The long-running commands of `ubus`: listen, subscribe, monitor (cli.c). */
import { BlobmsgType, type BlobmsgNode, type MessageAttr, type UbusMessage } from '../wire/index.js';
import { Attr, MonitorAttr } from '../wire/constants.js';
import { MONITOR_TYPES } from './args.js';
import { eventLine, runFor, statusOf, strerror, type Command } from './context.js';
import { formatJsonList } from './json-format.js';

export const listen: Command = async (ctx, args) => {
  const patterns = args.length > 0 ? args : ['*'];
  for (const p of patterns) {
    try {
      await ctx.client.listen(p, (type, _data, raw) => ctx.out(eventLine(type, raw)));
    } catch (err) {
      if (!ctx.opts.simple) ctx.err(`Error while registering for event '${p}': ${strerror(statusOf(err))}\n`);
      return -1;
    }
  }
  await runFor(ctx, ctx.opts.listenTimeoutSec);
  return 0;
};

export const subscribe: Command = async (ctx, args) => {
  if (args.length === 0) {
    if (!ctx.opts.simple) ctx.err('You need to specify an object to subscribe to\n');
    return -1;
  }
  for (const path of args) {
    try {
      await ctx.client.subscribe(path, (type, _data, raw) => {
        ctx.out(eventLine(type, raw));
      });
    } catch (err) {
      // cli.c names the first argument here, whichever path failed
      if (!ctx.opts.simple) ctx.err(`Error while registering for event '${args[0]}': ${strerror(statusOf(err))}\n`);
      return -1;
    }
  }
  await runFor(ctx, ctx.opts.listenTimeoutSec);
  return 0;
};

/** attribute names and order of cli.c ubus_cli_get_monitor_data */
const MONITOR_FIELDS: ReadonlyArray<[number, string]> = [
  [Attr.STATUS, 'status'],
  [Attr.OBJPATH, 'objpath'],
  [Attr.OBJID, 'objid'],
  [Attr.METHOD, 'method'],
  [Attr.OBJTYPE, 'objtype'],
  [Attr.SIGNATURE, 'signature'],
  [Attr.DATA, 'data'],
  [Attr.ACTIVE, 'active'],
  [Attr.NO_REPLY, 'no_reply'],
  [Attr.USER, 'user'],
  [Attr.GROUP, 'group'],
];

function monitorData(attrs: readonly MessageAttr[]): BlobmsgNode[] {
  const out: BlobmsgNode[] = [];
  for (const [id, name] of MONITOR_FIELDS) {
    const a = attrs.find((x) => x.id === id);
    if (!a) continue;
    if (a.kind === 'u32') out.push({ type: BlobmsgType.INT32, name, value: a.value | 0 });
    else if (a.kind === 'u8') out.push({ type: BlobmsgType.INT8, name, value: a.value ? 1 : 0 });
    else if (a.kind === 'string') out.push({ type: BlobmsgType.STRING, name, value: a.value });
    else if (a.kind === 'blobmsg') out.push({ type: BlobmsgType.TABLE, name, value: a.value });
  }
  return out;
}

/** One line of `ubus monitor` output, or undefined when filtered out. */
export function monitorLine(msg: UbusMessage, mask: number, dir: number): string | undefined {
  const get = (id: number): MessageAttr | undefined => msg.attrs.find((a) => a.id === id);
  const client = get(MonitorAttr.CLIENT);
  const peer = get(MonitorAttr.PEER);
  const send = get(MonitorAttr.SEND);
  const type = get(MonitorAttr.TYPE);
  const data = get(MonitorAttr.DATA);
  if (client?.kind !== 'u32' || peer?.kind !== 'u32' || send?.kind !== 'u8' || type?.kind !== 'u32' || data?.kind !== 'nested') {
    return 'Invalid monitor msg\n';
  }
  if (mask && type.value < 32 && !(mask & (1 << type.value))) return undefined;
  const isSend = send.value !== 0 ? 1 : 0;
  if (dir >= 0 && isSend !== dir) return undefined;
  const hex = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
  const name = MONITOR_TYPES[type.value] ?? String(type.value);
  return `${isSend ? '->' : '<-'} ${hex(client.value)} #${hex(peer.value)} ${name.padStart(14)}: ${formatJsonList(monitorData(data.value), false)}\n`;
}

export const monitor: Command = async (ctx) => {
  let stop: () => Promise<void>;
  try {
    stop = await ctx.client.monitor((msg) => {
      const line = monitorLine(msg, ctx.opts.monitorMask, ctx.opts.monitorDir);
      if (line !== undefined) ctx.out(line);
    });
  } catch (err) {
    return statusOf(err);
  }
  await runFor(ctx, 0);
  await stop().catch(() => undefined);
  return 0;
};
