/**
 * Object signatures and argument policies. A signature is what ADD_OBJECT carries and LOOKUP
 * returns: one blobmsg table per method, holding `argument name → BLOBMSG_TYPE_*` as int32
 * (libubus ubus_push_object_type).
 */
import { BlobmsgType, type BlobmsgNode } from '../wire/index.js';
import type { MethodDef } from './types.js';

/** Builds UBUS_ATTR_SIGNATURE content from method definitions. */
export function buildSignature(methods: Record<string, MethodDef>): BlobmsgNode[] {
  return Object.entries(methods).map(([name, def]) => ({
    type: BlobmsgType.TABLE,
    name,
    value: Object.entries(def.policy ?? {}).map(([arg, type]): BlobmsgNode => ({ type: BlobmsgType.INT32, name: arg, value: type })),
  }));
}

/** Reads a LOOKUP signature into `method → argument → type`; entries of other shapes are skipped. */
export function parseSignature(nodes: readonly BlobmsgNode[] | undefined): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const m of nodes ?? []) {
    if (m.type !== BlobmsgType.TABLE) continue;
    const args: Record<string, number> = {};
    for (const a of m.value) if (a.type === BlobmsgType.INT32) args[a.name] = a.value;
    out[m.name] = args;
  }
  return out;
}

/**
 * Checks call arguments against a policy the way a libubus handler sees them through
 * blobmsg_parse: an argument is looked up by name (first occurrence of the right type wins);
 * when the name is present but only with another type, the handler would find it missing and
 * answer UBUS_STATUS_INVALID_ARGUMENT — we answer that before calling the handler.
 * Returns the name of the first offending argument, or undefined when the call is acceptable.
 */
export function policyViolation(policy: Record<string, number> | undefined, args: readonly BlobmsgNode[]): string | undefined {
  if (!policy) return undefined;
  for (const [name, type] of Object.entries(policy)) {
    if (type === BlobmsgType.UNSPEC) continue;
    let seen = false;
    let ok = false;
    for (const a of args) {
      if (a.name !== name) continue;
      seen = true;
      if (a.type === type) {
        ok = true;
        break;
      }
    }
    if (seen && !ok) return name;
  }
  return undefined;
}
