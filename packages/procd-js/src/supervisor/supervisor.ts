/**
 * The supervisor: procd's services and instances (service.c) driven by the pure instance
 * machine. It owns the bookkeeping (which services and instances exist, set vs add, update
 * bracketing, triggers, data) and performs the machine's effects through injected parts: a
 * Spawner for processes, a Clock for timers, a host for files and users, and callbacks for
 * notifications, logging and process output. It knows nothing about ubus.
 */
import { ProcdInvalidArgsError, ProcdNotFoundError, ProcdSignalError } from '../errors.js';
import type { ServiceList } from '../types.js';
import { configChanged, jsonEqual, parseInstance, type InstanceConfig } from './instance-config.js';
import { InstanceDriver } from './instance-driver.js';
import { initialState, isRunning } from './instance-machine.js';
import { evaluateScript, parseTriggers, triggerMatches } from './json-script.js';
import { dumpService } from './list-format.js';
import type { Instance, Service, SupervisorDeps } from './model.js';
import { TriggerQueue } from './trigger-queue.js';

export type { Instance, Service, SupervisorDeps, SupervisorHost } from './model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function reqString(args: Obj, key: string): string | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ProcdInvalidArgsError(key, 'must be a string');
  return v;
}

const SIGHUP = 1;

export class Supervisor {
  private readonly services = new Map<string, Service>();
  private readonly triggerQueue: TriggerQueue;
  private stoppedWaiters: (() => void)[] = [];
  private readonly driver: InstanceDriver;

  constructor(private readonly deps: SupervisorDeps) {
    this.triggerQueue = new TriggerQueue(deps.clock, deps.runCommand);
    this.driver = new InstanceDriver(deps, (inst) => {
      inst.service.instances.delete(inst.name);
      this.serviceStopped(inst.service);
    });
  }

  // ------------------------------------------------------------------------------------------
  // service methods

  /** `service set` (add = false: the instances given replace the service's) and `service add` (merge). */
  set(args: Obj, add: boolean): void {
    const name = reqString(args, 'name');
    if (!name) throw new ProcdInvalidArgsError('name', 'is required');
    // check everything before changing anything
    let configs: InstanceConfig[] | undefined;
    if (args.instances !== undefined) {
      if (!isObj(args.instances)) throw new ProcdInvalidArgsError('instances', 'must be a table');
      configs = Object.entries(args.instances).map(([n, raw]) => parseInstance(n, raw, this.deps.host));
    }
    if (args.triggers !== undefined && !Array.isArray(args.triggers)) throw new ProcdInvalidArgsError('triggers', 'must be an array');
    if (args.validate !== undefined && !Array.isArray(args.validate)) throw new ProcdInvalidArgsError('validate', 'must be an array');
    if (args.data !== undefined && !isObj(args.data)) throw new ProcdInvalidArgsError('data', 'must be a table');
    if (args.autostart !== undefined && typeof args.autostart !== 'boolean') throw new ProcdInvalidArgsError('autostart', 'must be a boolean');
    const script = reqString(args, 'script');

    let s = this.services.get(name);
    const created = !s;
    if (!s) {
      s = { name, script, autostart: true, deleted: false, instances: new Map(), triggers: undefined, triggerRules: [], validate: undefined, data: undefined, version: 0 };
      this.services.set(name, s);
    }
    if (script !== undefined) s.script = script;
    if (args.autostart !== undefined) s.autostart = args.autostart as boolean;
    if (args.triggers !== undefined) {
      s.triggers = args.triggers as unknown[];
      s.triggerRules = parseTriggers(s.triggers);
    }
    if (args.validate !== undefined) s.validate = args.validate as unknown[];
    if (configs) {
      if (!add) s.version++;
      for (const c of configs) this.applyInstance(s, c);
      if (!add) this.flush(s);
    }
    if (args.data !== undefined) this.updateServiceData(s, args.data as Obj);
    s.deleted = false;
    if (created) this.deps.notify('service.start', { service: name });
  }

  /** `service delete`: the whole service, or one instance. */
  delete(args: Obj): void {
    const s = this.findService(args);
    const instance = reqString(args, 'instance');
    if (instance === undefined) {
      s.data = undefined;
      s.deleted = true;
      for (const inst of [...s.instances.values()]) this.driver.dispatch(inst, { type: 'stop', then: 'delete' });
      this.serviceStopped(s);
      return;
    }
    this.driver.dispatch(this.findInstance(s, instance), { type: 'stop', then: 'delete' });
  }

  /** `service signal`: kill(pid, signal) for one or all instances (default SIGHUP), as procd: the process only, not its group. */
  signal(args: Obj): void {
    const s = this.findService(args);
    const sig = args.signal === undefined ? SIGHUP : args.signal;
    if (typeof sig !== 'number' || !Number.isInteger(sig)) throw new ProcdInvalidArgsError('signal', 'must be an integer');
    const instance = reqString(args, 'instance');
    const targets = instance === undefined ? [...s.instances.values()] : [this.findInstance(s, instance)];
    let failure: ProcdSignalError | undefined;
    for (const inst of targets) {
      const pid = inst.state.pid;
      const r = pid === undefined ? 'ESRCH' : this.deps.spawner.signal(pid, sig, false);
      // procd returns the result of the last kill
      failure = r === 'ok' ? undefined : new ProcdSignalError(r, `${s.name}.${inst.name}: kill(${pid ?? '-'}, ${sig}) failed: ${r}`);
    }
    if (failure) throw failure;
  }

  /** `service list`. */
  list(args: Obj = {}): ServiceList {
    const name = reqString(args, 'name');
    const verbose = args.verbose === true;
    const out: ServiceList = {};
    for (const s of [...this.services.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (name !== undefined && s.name !== name) continue;
      out[s.name] = dumpService(s, verbose);
    }
    return out;
  }

  /** `service update_start` / `update_complete`: instances not re-added in between are stopped and removed. */
  update(args: Obj, phase: 'start' | 'complete'): void {
    const name = reqString(args, 'name');
    if (!name) throw new ProcdInvalidArgsError('name', 'is required');
    const s = this.findService(args);
    if (phase === 'start') s.version++;
    else this.flush(s);
  }

  /** `service state {name, spawn}`: start (true) or stop (false) every instance, keeping them defined. */
  state(args: Obj): void {
    if (typeof args.spawn !== 'boolean') throw new ProcdInvalidArgsError('spawn', 'is required (boolean)');
    const s = this.findService(args);
    for (const inst of s.instances.values()) {
      const running = isRunning(inst.state);
      if (running === args.spawn) continue;
      if (args.spawn) this.start(inst);
      else this.driver.dispatch(inst, { type: 'stop', then: 'idle' });
    }
  }

  /** `service event {type, data}`: runs matching triggers and notifies `event.trigger` (and `config.change`). */
  event(args: Obj): void {
    const type = args.type;
    if (typeof type !== 'string') throw new ProcdInvalidArgsError('type', 'is required (string)');
    if (!isObj(args.data)) throw new ProcdInvalidArgsError('data', 'is required (table)');
    this.triggerEvent(type, args.data);
    this.deps.notify('event.trigger', { type, data: args.data });
    if (type === 'config.change' && typeof args.data.package === 'string') {
      this.deps.notify('config.change', { config: args.data.package });
    }
  }

  /** `service validate`: the validators services registered, as {package: {type: {option: rule}}}. */
  validate(args: Obj): Obj | undefined {
    if (args.service !== undefined) return undefined;
    const pkg = reqString(args, 'package');
    const type = reqString(args, 'type');
    const out: Record<string, Record<string, Record<string, string>>> = {};
    for (const s of this.services.values()) {
      for (const v of s.validate ?? []) {
        if (!isObj(v) || typeof v.package !== 'string' || typeof v.type !== 'string' || !isObj(v.data)) continue;
        if ((pkg !== undefined && v.package !== pkg) || (type !== undefined && v.type !== type)) continue;
        const t = ((out[v.package] ??= {})[v.type] ??= {});
        for (const [opt, rule] of Object.entries(v.data)) if (typeof rule === 'string') t[opt] = rule;
      }
    }
    return out;
  }

  /** `service get_data {name?, instance?, type?}`. */
  getData(args: Obj): Obj {
    const name = reqString(args, 'name');
    const instance = reqString(args, 'instance');
    const type = reqString(args, 'type');
    const out: Obj = {};
    const pick = (data: Obj | undefined): Obj | undefined => {
      if (!data) return undefined;
      const entries = Object.entries(data).filter(([k]) => type === undefined || k === type);
      return entries.length ? Object.fromEntries(entries) : undefined;
    };
    for (const s of this.services.values()) {
      if (name !== undefined && s.name !== name) continue;
      const svc: Obj = {};
      const sd = pick(s.data);
      if (sd) svc['*'] = sd;
      for (const inst of s.instances.values()) {
        if (instance !== undefined && inst.name !== instance) continue;
        const d = pick(inst.data ?? inst.config.data);
        if (d) svc[inst.name] = d;
      }
      if (Object.keys(svc).length) out[s.name] = svc;
    }
    return out;
  }

  /** `service set_data {name, instance?, data}`. */
  setData(args: Obj): void {
    if (!isObj(args.data)) throw new ProcdInvalidArgsError('data', 'is required (table)');
    const name = reqString(args, 'name');
    if (!name) throw new ProcdInvalidArgsError('name', 'is required');
    const s = this.findService(args);
    const instance = reqString(args, 'instance');
    if (instance === undefined) this.updateServiceData(s, args.data);
    else this.findInstance(s, instance).data = args.data;
  }

  /** `service watchdog {name, instance, mode?, timeout?}`: also the "I am alive" ping. */
  watchdog(args: Obj): Obj {
    const s = this.findService(args);
    const instance = reqString(args, 'instance');
    if (instance === undefined) throw new ProcdNotFoundError(`${s.name}: instance (none given)`);
    const inst = this.findInstance(s, instance);
    const wd = inst.watchdog;
    if (args.mode !== undefined) {
      if (typeof args.mode !== 'number' || !Number.isInteger(args.mode) || args.mode < 0 || args.mode > 2) throw new ProcdInvalidArgsError('mode', 'must be 0, 1 or 2');
      wd.mode = args.mode;
    }
    if (args.timeout !== undefined) {
      if (typeof args.timeout !== 'number' || !Number.isInteger(args.timeout) || args.timeout < 0) throw new ProcdInvalidArgsError('timeout', 'must be a non-negative integer');
      wd.timeout = args.timeout;
    }
    this.driver.armWatchdog(inst);
    if (args.mode !== undefined || args.timeout !== undefined) wd.selfManaged = true;
    return { name: s.name, instance: inst.name, mode: wd.mode, timeout: wd.timeout };
  }

  // ------------------------------------------------------------------------------------------
  // lifecycle

  /** Stops every instance (SIGTERM, SIGKILL after its term_timeout); resolves when all have exited. */
  stopAll(): Promise<void> {
    this.triggerQueue.stop();
    for (const s of [...this.services.values()]) {
      s.deleted = true;
      for (const inst of [...s.instances.values()]) this.driver.dispatch(inst, { type: 'stop', then: 'delete' });
      this.serviceStopped(s);
    }
    if (this.services.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.stoppedWaiters.push(resolve));
  }

  /** Resolves when queued trigger commands have run. */
  triggersIdle(): Promise<void> {
    return this.triggerQueue.idle();
  }

  /** An event from outside (a watched object's notification): runs the matching triggers. */
  fireTrigger(type: string, data: Record<string, unknown>): void {
    this.triggerEvent(type, data);
  }

  /** The instance, for tests and the ubus face. */
  getInstance(service: string, instance: string): Instance | undefined {
    return this.services.get(service)?.instances.get(instance);
  }

  // ------------------------------------------------------------------------------------------
  // internals

  private findService(args: Obj): Service {
    const name = reqString(args, 'name');
    if (name === undefined) throw new ProcdNotFoundError('service (no name given)');
    const s = this.services.get(name);
    if (!s) throw new ProcdNotFoundError(`service ${name}`);
    return s;
  }

  private findInstance(s: Service, name: string): Instance {
    const inst = s.instances.get(name);
    if (!inst) throw new ProcdNotFoundError(`instance ${s.name}.${name}`);
    return inst;
  }

  /** procd's service_instance_update: new → start; existing → keep, restart or start. */
  private applyInstance(s: Service, config: InstanceConfig): void {
    for (const path of config.watch) this.deps.watch?.(path);
    const existing = s.instances.get(config.name);
    if (!existing) {
      const inst: Instance = {
        service: s,
        name: config.name,
        config,
        state: initialState,
        timer: undefined,
        version: s.version,
        watchdog: { mode: config.watchdog.mode, timeout: config.watchdog.timeout, selfManaged: false, timer: undefined },
        data: undefined,
      };
      s.instances.set(config.name, inst);
      if (s.autostart) this.start(inst);
      return;
    }
    existing.version = s.version;
    const changed = configChanged(existing.config, config, existing.watchdog.selfManaged);
    const old = existing.config;
    const phase = existing.state.phase;
    const running = phase === 'running' || phase === 'starting';
    if (!running) {
      this.moveConfig(existing, config);
      this.start(existing);
      return;
    }
    if (changed) {
      // the reload signal is the one of the running definition
      this.driver.dispatch(existing, { type: 'restart' }, old);
    } else if (!jsonEqual(old.data ?? {}, config.data ?? {})) {
      for (const k of new Set([...Object.keys(old.data ?? {}), ...Object.keys(config.data ?? {})])) this.triggerEvent('service.data.update', { name: k });
    }
    this.moveConfig(existing, config);
  }

  private moveConfig(inst: Instance, config: InstanceConfig): void {
    inst.config = config;
    inst.data = undefined;
    if (!inst.watchdog.selfManaged) {
      inst.watchdog.mode = config.watchdog.mode;
      inst.watchdog.timeout = config.watchdog.timeout;
    }
  }

  /** Removes instances not (re-)declared since the last version bump (vlist_flush). */
  private flush(s: Service): void {
    for (const inst of [...s.instances.values()]) {
      if (inst.version !== s.version && inst.state.phase !== 'deleted') this.driver.dispatch(inst, { type: 'stop', then: 'delete' });
    }
  }

  private start(inst: Instance): void {
    const c = inst.config;
    if (c.errors.length > 0) {
      this.deps.log(`Not starting instance ${inst.service.name}::${inst.name}, an error was indicated`);
      return;
    }
    if (!c.command) {
      this.deps.log(`Not starting instance ${inst.service.name}::${inst.name}, command not set`);
      return;
    }
    this.driver.dispatch(inst, { type: 'start' });
  }


  private serviceStopped(s: Service): void {
    if (!s.deleted || s.instances.size > 0) return;
    this.services.delete(s.name);
    this.deps.notify('service.stop', { service: s.name });
    if (this.services.size === 0) {
      const w = this.stoppedWaiters;
      this.stoppedWaiters = [];
      for (const f of w) f();
    }
  }

  private updateServiceData(s: Service, data: Obj): void {
    if (jsonEqual(s.data ?? {}, data)) return;
    s.data = data;
    for (const k of Object.keys(data)) this.triggerEvent('service.data.update', { name: k });
  }

  private triggerEvent(type: string, data: Obj): void {
    for (const s of this.services.values()) {
      const rules = [...s.triggerRules];
      for (const inst of s.instances.values()) rules.push(...parseTriggers(inst.config.triggers));
      for (const rule of rules) {
        if (!triggerMatches(type, rule.type)) continue;
        for (const argv of evaluateScript(rule.script, data)) this.triggerQueue.add(argv, rule.delayMs);
      }
    }
  }
}

