/**
 * The acl object (id 2, ubusd_acl.c `query`): tells a client which `acl` blocks of the ACL files
 * apply to the objects it published, and the ACL sequence number.
 */
import { Attr, BlobmsgType, Status } from '../wire/constants.js';
import type { BlobmsgNode } from '../wire/blobmsg.js';
import { blobmsgBody } from './events.js';
import type { Acl } from './acl.js';
import type { BrokerClient } from './client.js';
import type { BrokerFrame, OutAttr } from './frames.js';

/** DATA attrs for a `query`, or an error status. */
export function aclQueryReply(acl: Acl, cl: BrokerClient, f: BrokerFrame): OutAttr[] | number {
  if (f.attrs.objid === undefined) return Status.INVALID_ARGUMENT;
  const entries: { obj: string; user?: string; group?: string; acl: unknown }[] = [];
  for (const obj of cl.objects) if (obj.path !== undefined) entries.push(...acl.privFor(obj.path));
  const body = blobmsgBody([
    { type: BlobmsgType.INT32, name: 'seq', value: acl.seq },
    { type: BlobmsgType.ARRAY, name: 'acl', value: entries.map((e) => ({ type: BlobmsgType.TABLE, name: '', value: aclEntryNodes(e) })) },
  ]);
  return [{ id: Attr.OBJID, u32: f.attrs.objid }, { id: Attr.DATA, raw: body }];
}

function aclEntryNodes(e: { obj: string; user?: string; group?: string; acl: unknown }): BlobmsgNode[] {
  const out: BlobmsgNode[] = [{ type: BlobmsgType.STRING, name: 'obj', value: e.obj }];
  if (e.user) out.push({ type: BlobmsgType.STRING, name: 'user', value: e.user });
  if (e.group) out.push({ type: BlobmsgType.STRING, name: 'group', value: e.group });
  out.push(jsonNode('acl', e.acl));
  return out;
}

function jsonNode(name: string, v: unknown): BlobmsgNode {
  if (Array.isArray(v)) return { type: BlobmsgType.ARRAY, name, value: v.map((x) => jsonNode('', x)) };
  if (v && typeof v === 'object') return { type: BlobmsgType.TABLE, name, value: Object.entries(v).map(([k, x]) => jsonNode(k, x)) };
  if (typeof v === 'string') return { type: BlobmsgType.STRING, name, value: v };
  if (typeof v === 'boolean') return { type: BlobmsgType.INT8, name, value: v ? 1 : 0 };
  if (typeof v === 'number' && Number.isInteger(v)) return { type: BlobmsgType.INT32, name, value: v };
  if (typeof v === 'number') return { type: BlobmsgType.DOUBLE, name, value: v };
  return { type: BlobmsgType.UNSPEC, name, value: new Uint8Array(0) };
}
