/**
 * The `mwan` ubus object (docs/ubus-api.md). Handlers only translate arguments and errors; the
 * controller (behind the narrow MwanService) does the work and views.ts builds the replies.
 */
import { BlobmsgType, Status, UbusStatusError, type MethodDef, type UbusData, type UbusObject } from 'ubus-ts';
import {
  checkFlowQuery, explain, stickySetsWanted, unreadSets, type ExplainData, type ExplainResult, type ExplainSets, type ExplainSetsRequest, type FlowQuery, type SourceWans,
} from './core/explain.js';
import type { ControllerState } from './core/model.js';
import { BadArgumentError, MwandError, MwandErrorCode } from './errors.js';
import type { ControllerMetrics } from './metrics.js';
import { interfacesView, policiesView, rulesView, statusView, type Json, type PolicyTable, type RuleCounter } from './views.js';

export interface ReloadOutcome {
  result: 'ok' | 'noop' | 'error';
  errors?: string[];
  trackers?: { keep: string[]; replace: string[]; start: string[]; stop: string[] };
  interfaces?: { unchanged: string[]; changed: string[]; added: string[]; removed: string[] };
}

/** What the ubus face needs from the controller. */
export interface MwanService {
  now(): number;
  state(): ControllerState;
  policies(): PolicyTable;
  /** interfaces whose tracker instance is running */
  runningTrackers(): ReadonlySet<string>;
  /** dataplane read-back of user rule counters; undefined when not available */
  ruleCounters(): Promise<ReadonlyMap<string, RuleCounter> | undefined>;
  reload(): Promise<ReloadOutcome>;
  /** refreshes the trackers' per-target figures before a status reply (optional) */
  refreshTargets?(): Promise<void>;
  /** administrative ifup/ifdown; resolves after it was applied */
  admin(iface: string, action: 'ifup' | 'ifdown'): Promise<void>;
  metrics(): ControllerMetrics;
  /** seconds since mwand started */
  uptimeS(): number;
  /** the dataplane's own-address → WAN maps (src_wan_v4/_v6) of the current plan, when known */
  sourceWans?(): SourceWans | undefined;
  /**
   * members of these rule `ipset` sets and the elements of these sticky sets, from one read of
   * the running ruleset (table inet mwan); a set that cannot be read carries the reason instead
   */
  explainSets?(want: ExplainSetsRequest): Promise<ExplainSets>;
  /** removes the kernel state and stops applying (`/etc/init.d/mwan stop`) */
  teardown(): Promise<{ table: boolean; ipRules: number; routes: number }>;
}

/** What the ubus face needs from the bus. */
export interface ObjectHost {
  addObject(path: string, methods: Record<string, MethodDef>): Promise<UbusObject>;
}

export const OBJECT_PATH = 'mwan';

const str = BlobmsgType.STRING;

function asData(v: { [k: string]: Json | undefined } | ExplainResult): UbusData {
  return v as unknown as UbusData;
}

function optString(args: UbusData, name: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new UbusStatusError(Status.INVALID_ARGUMENT, `${name} must be a string`);
  return v;
}

function needInterface(svc: MwanService, args: UbusData): string {
  const name = optString(args, 'interface');
  if (!name) throw new UbusStatusError(Status.INVALID_ARGUMENT, 'interface is required');
  if (!svc.state().config.interfaces.some((i) => i.name === name)) throw new UbusStatusError(Status.NOT_FOUND, `no interface ${name}`);
  return name;
}

/** Maps controller errors to ubus statuses (the CLI prints the status text). */
function toStatus(err: unknown): never {
  if (err instanceof UbusStatusError) throw err;
  if (err instanceof MwandError) {
    if (err.code === MwandErrorCode.BAD_ARGUMENT) throw new UbusStatusError(Status.INVALID_ARGUMENT, err.message);
    if (err.code === MwandErrorCode.NO_SUCH_INTERFACE) throw new UbusStatusError(Status.NOT_FOUND, err.message);
  }
  throw new UbusStatusError(Status.UNKNOWN_ERROR, (err as Error)?.message);
}

/**
 * `log` receives refusals that name the field (ubus statuses carry no text, so the reason of an
 * INVALID_ARGUMENT is only in mwand's log; `mwan explain` checks its arguments itself first).
 */
export function mwanMethods(svc: MwanService, log: (m: string) => void = () => {}): Record<string, MethodDef> {
  return {
    status: {
      policy: { section: str, interface: str },
      handler: async (req) => {
        const section = optString(req.args, 'section');
        if (section !== undefined && !['interfaces', 'connected', 'policies'].includes(section)) {
          throw new UbusStatusError(Status.INVALID_ARGUMENT, `section must be interfaces, connected or policies`);
        }
        const iface = optString(req.args, 'interface');
        if (section === undefined || section === 'interfaces') await svc.refreshTargets?.();
        return asData(statusView(svc.state(), svc.policies(), svc.now(), svc.runningTrackers(), { ...(section ? { section } : {}), ...(iface ? { interface: iface } : {}) }));
      },
    },
    interfaces: {
      policy: { interface: str },
      handler: async (req) => {
        const iface = optString(req.args, 'interface');
        await svc.refreshTargets?.();
        const all = interfacesView(svc.state(), svc.now(), svc.runningTrackers());
        if (iface === undefined) return asData(all);
        if (!(iface in all.interfaces)) throw new UbusStatusError(Status.NOT_FOUND, `no interface ${iface}`);
        return asData({ interfaces: { [iface]: all.interfaces[iface] } });
      },
    },
    policies: { handler: () => asData(policiesView(svc.policies())) },
    rules: { handler: async () => asData(rulesView(svc.state(), await svc.ruleCounters())) },
    connected: {
      handler: () => {
        const c = svc.state().rtmon.connected;
        return asData({ connected: { ipv4: [...c.ipv4], ipv6: [...c.ipv6] } });
      },
    },
    reload: { handler: async () => asData({ ...(await svc.reload()) }) },
    teardown: {
      handler: async () => {
        const r = await svc.teardown().catch(toStatus);
        return asData({ result: 'ok', table: r.table, ip_rules: r.ipRules, routes: r.routes });
      },
    },
    ifup: {
      policy: { interface: str },
      handler: async (req) => {
        const name = needInterface(svc, req.args);
        await svc.admin(name, 'ifup').catch(toStatus);
        return asData({ interface: name, ...interfacesView(svc.state(), svc.now(), svc.runningTrackers()).interfaces[name] as object });
      },
    },
    ifdown: {
      policy: { interface: str },
      handler: async (req) => {
        const name = needInterface(svc, req.args);
        await svc.admin(name, 'ifdown').catch(toStatus);
        return asData({ interface: name, ...interfacesView(svc.state(), svc.now(), svc.runningTrackers()).interfaces[name] as object });
      },
    },
    explain: {
      policy: { src: str, dst: str, proto: str, port: BlobmsgType.INT32, src_iface: str },
      handler: async (req) => {
        const src = optString(req.args, 'src');
        const dst = optString(req.args, 'dst');
        if (!src || !dst) {
          log(`explain refused: ${!src ? 'src' : 'dst'} is required`);
          throw new UbusStatusError(Status.INVALID_ARGUMENT, 'src and dst are required');
        }
        const q: FlowQuery = { src, dst };
        const proto = optString(req.args, 'proto');
        if (proto) q.proto = proto;
        const port = req.args.port;
        if (typeof port === 'number') q.port = port;
        const srcIface = optString(req.args, 'src_iface');
        if (srcIface !== undefined) q.srcIface = srcIface;
        try {
          // a refused query must not cost a kernel read
          checkFlowQuery(q);
          // one snapshot of state, plan and shares; only the sets are read afterwards, at most once
          const st = svc.state();
          const data: ExplainData = { policies: svc.policies(), ...optional('sourceWans', svc.sourceWans?.()) };
          const want: ExplainSetsRequest = { ipsets: [...new Set(st.config.rules.flatMap((r) => (r.ipset ? [r.ipset] : [])))], sticky: stickySetsWanted(st.config) };
          if (want.ipsets.length === 0) {
            // no set decides which rule matches: the table is read only for a sticky rule with WANs to keep
            const first = explain(st, q, data);
            if (!first.sticky || first.interfaces.length === 0) return asData(first);
          }
          const sets = await readSets(svc, want);
          return asData(explain(st, q, { ...data, ...optional('ipsets', sets?.ipsets), ...optional('sticky', sets?.sticky) }));
        } catch (err) {
          if (err instanceof BadArgumentError) log(`explain refused (field ${err.field}): ${err.message}`);
          return toStatus(err);
        }
      },
    },
    metrics: {
      handler: async () => {
        const st = svc.state();
        const iv = interfacesView(st, svc.now(), svc.runningTrackers()).interfaces;
        const counters = await svc.ruleCounters();
        const rules: { [k: string]: Json } = {};
        for (const [name, c] of counters ?? []) rules[name] = { packets: c.packets, bytes: c.bytes };
        return asData({ controller: { ...svc.metrics(), uptime_s: svc.uptimeS() } as unknown as Json, interfaces: iv, policies: policiesView(svc.policies()).policies, rules });
      },
    },
  };
}

/** The rules' sets and sticky sets from the running ruleset; a failed read becomes the reason of each. */
async function readSets(svc: MwanService, want: ExplainSetsRequest): Promise<ExplainSets | undefined> {
  if ((want.ipsets.length === 0 && want.sticky.length === 0) || !svc.explainSets) return undefined;
  try {
    return await svc.explainSets(want);
  } catch (err) {
    return unreadSets(want, (err as Error)?.message ?? String(err));
  }
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

export function publishMwan(host: ObjectHost, svc: MwanService, log?: (m: string) => void): Promise<UbusObject> {
  return host.addObject(OBJECT_PATH, mwanMethods(svc, log));
}
