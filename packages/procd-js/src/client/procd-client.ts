/**
 * A typed client for procd's `service` object (procd or procd-ts), over any UbusClient.
 * Each method is one `ubus call service <method>`; errors are ubus-ts's UbusStatusError
 * (NOT_FOUND for an unknown service/instance, INVALID_ARGUMENT for a bad description).
 */
import type { BlobmsgJs, Subscription, UbusClient, UbusData } from 'ubus-ts';
import type { ListedInstance, ServiceList, ServiceNotificationType, WireServiceSet } from '../types.js';
import { signalNumber, toWireInstance, type InstanceSpec } from './instance-spec.js';

export interface ServiceOptions {
  /** the init script (procd.sh sends it; procd shows it nowhere but keeps it) */
  script?: string;
  /** json_script trigger rules, e.g. [['config.change', ['if', ['eq', 'package', 'mwan'], ['run_script', '/etc/init.d/mwan', 'reload']], 1000]] */
  triggers?: BlobmsgJs[];
  validate?: BlobmsgJs[];
  autostart?: boolean;
  data?: Record<string, BlobmsgJs>;
}

export interface ProcdClient {
  /** `service set`: these instances replace the service's (unchanged ones keep running) */
  set(name: string, instances: Record<string, InstanceSpec>, opts?: ServiceOptions): Promise<void>;
  /** `service add`: these instances are added or updated, the others are left alone */
  add(name: string, instances: Record<string, InstanceSpec>, opts?: ServiceOptions): Promise<void>;
  /** `service set`/`add` with a wire-format message, as procd.sh would send it */
  setRaw(msg: WireServiceSet, method?: 'set' | 'add'): Promise<void>;
  list(opts?: { name?: string; verbose?: boolean }): Promise<ServiceList>;
  /** one instance as `service list` shows it, undefined when absent */
  instance(service: string, instance: string): Promise<ListedInstance | undefined>;
  /** `service delete`: the whole service, or one instance */
  delete(name: string, instance?: string): Promise<void>;
  /** `service signal` (default SIGHUP) to one or all instances */
  signal(name: string, opts?: { instance?: string; signal?: number | NodeJS.Signals }): Promise<void>;
  updateStart(name: string): Promise<void>;
  updateComplete(name: string): Promise<void>;
  /** `service event`: runs procd triggers (e.g. type config.change, data {package}) */
  event(type: string, data: UbusData): Promise<void>;
  validate(opts?: { package?: string; type?: string; service?: string }): Promise<UbusData | undefined>;
  getData(opts?: { name?: string; instance?: string; type?: string }): Promise<UbusData>;
  setData(name: string, data: UbusData, instance?: string): Promise<void>;
  /** `service state`: start (true) or stop (false) all instances, keeping them defined */
  state(name: string, spawn: boolean): Promise<void>;
  /** `service watchdog`: ping, or change mode/timeout */
  watchdog(name: string, instance: string, opts?: { mode?: 0 | 1 | 2; timeout?: number }): Promise<{ name: string; instance: string; mode: number; timeout: number }>;
  /** subscribe to the `service` object's notifications (instance.start, instance.stop, instance.respawn, instance.fail, service.start, ...) */
  onNotification(handler: (type: ServiceNotificationType | string, data: UbusData) => void): Promise<Subscription>;
}

const OBJECT = 'service';

function serviceMessage(name: string, instances: Record<string, InstanceSpec>, opts: ServiceOptions): UbusData {
  const msg: UbusData = { name, instances: Object.fromEntries(Object.entries(instances).map(([k, v]) => [k, toWireInstance(v) as BlobmsgJs])) };
  if (opts.script !== undefined) msg.script = opts.script;
  if (opts.triggers !== undefined) msg.triggers = opts.triggers;
  if (opts.validate !== undefined) msg.validate = opts.validate;
  if (opts.autostart !== undefined) msg.autostart = opts.autostart;
  if (opts.data !== undefined) msg.data = opts.data;
  return msg;
}

/** Only the keys that are set (ubus-ts skips undefined members, but keep messages minimal). */
function defined(o: Record<string, BlobmsgJs | undefined>): UbusData {
  const out: UbusData = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

export function createProcdClient(ubus: UbusClient): ProcdClient {
  const call = async (method: string, args: UbusData): Promise<UbusData | undefined> => ubus.call(OBJECT, method, args);
  const client: ProcdClient = {
    async set(name, instances, opts = {}) {
      await call('set', serviceMessage(name, instances, opts));
    },
    async add(name, instances, opts = {}) {
      await call('add', serviceMessage(name, instances, opts));
    },
    async setRaw(msg, method = 'set') {
      await call(method, msg as unknown as UbusData);
    },
    async list(opts = {}) {
      return ((await call('list', defined({ name: opts.name, verbose: opts.verbose }))) ?? {}) as unknown as ServiceList;
    },
    async instance(service, instance) {
      const l = await client.list({ name: service });
      return l[service]?.instances?.[instance];
    },
    async delete(name, instance) {
      await call('delete', defined({ name, instance }));
    },
    async signal(name, opts = {}) {
      await call('signal', defined({ name, instance: opts.instance, signal: opts.signal === undefined ? undefined : signalNumber(opts.signal) }));
    },
    async updateStart(name) {
      await call('update_start', { name });
    },
    async updateComplete(name) {
      await call('update_complete', { name });
    },
    async event(type, data) {
      await call('event', { type, data });
    },
    async validate(opts = {}) {
      return call('validate', defined({ package: opts.package, type: opts.type, service: opts.service }));
    },
    async getData(opts = {}) {
      return (await call('get_data', defined({ name: opts.name, instance: opts.instance, type: opts.type }))) ?? {};
    },
    async setData(name, data, instance) {
      await call('set_data', defined({ name, instance, data }));
    },
    async state(name, spawn) {
      await call('state', { name, spawn });
    },
    async watchdog(name, instance, opts = {}) {
      const r = (await call('watchdog', defined({ name, instance, mode: opts.mode, timeout: opts.timeout }))) ?? {};
      return r as unknown as { name: string; instance: string; mode: number; timeout: number };
    },
    onNotification(handler) {
      return ubus.subscribe(OBJECT, (type, data) => {
        handler(type, data);
      });
    },
  };
  return client;
}
