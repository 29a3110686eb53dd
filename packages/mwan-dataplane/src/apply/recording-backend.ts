/**
 * The backend's in-memory twin: it keeps a simulated table, ip rules and routes, applies commands
 * to them and records every call, so the applier's diffing is tested without a kernel (like
 * netifd's system-dummy). It models only the commands the applier issues.
 */
import type { ChainObj, Command, Expr, MapObj, RuleObj, Ruleset, SetObj } from 'nft-json';
import type { IpFamily, IpRule } from '../plan/types.js';
import type { ActualRoute, DataplaneBackend, IpOp } from './backend.js';
import { ruleKey } from './ip-diff.js';

export interface RecordedCall { kind: 'nftApply' | 'nftList' | 'ipRules' | 'ipRoutes' | 'ipApply' | 'conntrackDelete'; detail?: unknown }

export interface RecordingBackend extends DataplaneBackend {
  readonly calls: RecordedCall[];
  /** simulated contents */
  readonly state: { table: boolean; sets: Map<string, SetObj>; maps: Map<string, MapObj>; chains: Map<string, ChainObj>; rules: RuleObj[]; ipRules: IpRule[]; routes: ActualRoute[] };
  /** adds elements as someone else would (rtmon, dnsmasq, the packet path) */
  addElements(set: string, elems: Expr[]): void;
  /** conntrack entries (marks) the simulated kernel holds */
  conntrack: number[];
}

export function createRecordingBackend(): RecordingBackend {
  const state = { table: false, sets: new Map<string, SetObj>(), maps: new Map<string, MapObj>(), chains: new Map<string, ChainObj>(), rules: [] as RuleObj[], ipRules: [] as IpRule[], routes: [] as ActualRoute[] };
  const calls: RecordedCall[] = [];
  let handle = 1;

  function exec(cmd: Command): void {
    const [verb, obj] = Object.entries(cmd)[0] as [string, Record<string, Record<string, unknown>>];
    const [kind, o] = Object.entries(obj)[0] as [string, Record<string, unknown>];
    const name = o.name as string;
    const need = (ok: boolean, what: string) => { if (!ok) throw new Error(`simulated nft: ${verb} ${kind} ${what}: No such file or directory`); };
    if (kind !== 'table') need(state.table, 'table');
    switch (`${verb} ${kind}`) {
      case 'add table': state.table = true; return;
      case 'add set': if (!state.sets.has(name)) state.sets.set(name, { ...(o as unknown as SetObj), elem: [] }); return;
      case 'add chain': if (!state.chains.has(name)) state.chains.set(name, o as unknown as ChainObj); return;
      case 'add rule': {
        need(state.chains.has(o.chain as string), `chain ${String(o.chain)}`);
        state.rules.push({ ...(o as unknown as RuleObj), handle: handle++ });
        return;
      }
      case 'flush chain': need(state.chains.has(name), name); state.rules = state.rules.filter((r) => r.chain !== name); return;
      case 'delete chain': {
        need(state.chains.has(name), name);
        if (state.rules.some((r) => r.chain === name)) throw new Error(`simulated nft: chain ${name} not empty`);
        if ([...state.maps.values()].some((m) => m.elem!.some((e) => JSON.stringify(e[1]).includes(`"${name}"`)))) throw new Error(`simulated nft: chain ${name}: Device or resource busy`);
        state.chains.delete(name); return;
      }
      case 'flush set': need(state.sets.has(name), name); state.sets.get(name)!.elem = []; return;
      case 'delete set': need(state.sets.has(name), name); state.sets.delete(name); return;
      case 'add map': if (!state.maps.has(name)) state.maps.set(name, { ...(o as unknown as MapObj), elem: [] }); return;
      case 'flush map': need(state.maps.has(name), name); state.maps.get(name)!.elem = []; return;
      case 'delete map': need(state.maps.has(name), name); state.maps.delete(name); return;
      case 'add element': {
        const m = state.maps.get(name);
        need(m !== undefined || state.sets.has(name), name);
        for (const e of o.elem as Array<[Expr, { goto?: { target: string } }]>) {
          if (m) {
            if (e[1]?.goto && !state.chains.has(e[1].goto.target)) throw new Error(`simulated nft: add element: chain ${e[1].goto.target}: No such file or directory`);
            if (m.elem!.some((x) => JSON.stringify(x[0]) === JSON.stringify(e[0]))) throw new Error(`simulated nft: add element ${name}: File exists`);
            m.elem!.push(e as [Expr, Expr]);
          } else state.sets.get(name)!.elem!.push(e as unknown as Expr);
        }
        return;
      }
      case 'delete table': state.table = false; state.sets.clear(); state.maps.clear(); state.chains.clear(); state.rules = []; return;
      default: throw new Error(`simulated nft: ${verb} ${kind} not modelled`);
    }
  }

  const b: RecordingBackend = {
    calls,
    state,
    conntrack: [],
    addElements(set, elems) { state.sets.get(set)!.elem!.push(...elems); },
    async nftApply(commands) {
      calls.push({ kind: 'nftApply', detail: commands });
      const snapshot = structuredClone(state);
      try {
        for (const c of commands) exec(c);
      } catch (e) {
        Object.assign(state, snapshot); // all or nothing, like a kernel transaction
        throw e;
      }
    },
    async nftList(): Promise<Ruleset | null> {
      calls.push({ kind: 'nftList' });
      if (!state.table) return null;
      return structuredClone({ tables: [{ family: 'inet', name: 'mwan' }], chains: [...state.chains.values()], rules: state.rules, sets: [...state.sets.values()], maps: [...state.maps.values()] });
    },
    async nftListStructure(): Promise<Ruleset | null> {
      calls.push({ kind: 'nftList', detail: 'structure' });
      if (!state.table) return null;
      return structuredClone({ tables: [], chains: [...state.chains.values()], rules: [], sets: [...state.sets.values()].map((s) => ({ ...s, elem: undefined })), maps: [] });
    },
    async ipRules(family) { calls.push({ kind: 'ipRules' }); return state.ipRules.filter((r) => r.family === family).map((r) => ({ ...r })); },
    async ipRoutes(family) { calls.push({ kind: 'ipRoutes' }); return state.routes.filter((r) => r.family === family).map((r) => ({ ...r })); },
    async ipApply(family: IpFamily, ops: readonly IpOp[]) {
      calls.push({ kind: 'ipApply', detail: { family, ops } });
      for (const op of ops) {
        if ('rule' in op) {
          if (op.op === 'add') state.ipRules.push({ ...op.rule });
          else state.ipRules = state.ipRules.filter((r) => !(r.family === family && ruleKey(r) === ruleKey(op.rule)));
        } else {
          const same = (r: ActualRoute) => r.family === family && r.table === op.route.table && r.dev === op.route.dev && r.via === op.route.via;
          state.routes = state.routes.filter((r) => !same(r));
          if (op.op === 'add') state.routes.push({ ...op.route });
        }
      }
    },
    async conntrackDelete(mark, mask) {
      calls.push({ kind: 'conntrackDelete', detail: { mark, mask } });
      const before = b.conntrack.length;
      b.conntrack = b.conntrack.filter((m) => (m & mask) !== (mark & mask));
      return before - b.conntrack.length;
    },
  };
  return b;
}
