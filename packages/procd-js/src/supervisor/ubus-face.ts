/**
 * The supervisor on the bus: the `service` object with procd's methods and argument policies
 * (service.c main_object_methods), errors mapped to procd's ubus statuses, and the supervisor's
 * notifications sent to the object's subscribers (procd's ubus_notify).
 */
import { BlobmsgType, Status, UbusStatusError, type BlobmsgJs, type MethodDef, type UbusClient, type UbusData, type UbusObject } from 'ubus-ts';
import { ProcdError, ProcdSignalError } from '../errors.js';
import type { Supervisor } from './supervisor.js';

const { STRING, TABLE, ARRAY, BOOL, INT32 } = BlobmsgType;

/** procd's blobmsg policies per method. */
export const SERVICE_POLICIES: Record<string, Record<string, number>> = {
  set: { name: STRING, script: STRING, instances: TABLE, triggers: ARRAY, validate: ARRAY, autostart: BOOL, data: TABLE },
  add: { name: STRING, script: STRING, instances: TABLE, triggers: ARRAY, validate: ARRAY, autostart: BOOL, data: TABLE },
  list: { name: STRING, verbose: BOOL },
  delete: { name: STRING, instance: STRING },
  signal: { name: STRING, instance: STRING, signal: INT32 },
  update_start: { name: STRING },
  update_complete: { name: STRING },
  event: { type: STRING, data: TABLE },
  validate: { package: STRING, type: STRING, service: STRING },
  get_data: { name: STRING, instance: STRING, type: STRING },
  set_data: { name: STRING, instance: STRING, data: TABLE },
  state: { spawn: BOOL, name: STRING },
  watchdog: { mode: INT32, name: STRING, timeout: INT32, instance: STRING },
};

/** ProcdError → the ubus status procd returns in that case. */
export function statusOf(err: unknown): number {
  if (err instanceof ProcdSignalError) {
    return err.errno === 'EPERM' ? Status.PERMISSION_DENIED : err.errno === 'ESRCH' ? Status.NOT_FOUND : Status.INVALID_ARGUMENT;
  }
  if (err instanceof ProcdError) {
    if (err.code === 'ERR_PROCD_NOT_FOUND') return Status.NOT_FOUND;
    if (err.code === 'ERR_PROCD_INVALID_ARGS') return Status.INVALID_ARGUMENT;
    if (err.code === 'ERR_PROCD_NOT_IMPLEMENTED') return Status.NOT_SUPPORTED;
  }
  return Status.UNKNOWN_ERROR;
}

type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Registers `service` on the bus. `log` receives every refused call (method, reason), since a
 * ubus status alone does not say which field was wrong.
 */
export async function addServiceObject(ubus: UbusClient, sup: Supervisor, log: (message: string) => void): Promise<UbusObject> {
  const handlers: Record<string, Handler> = {
    set: (a) => sup.set(a, false),
    add: (a) => sup.set(a, true),
    list: (a) => sup.list(a),
    delete: (a) => sup.delete(a),
    signal: (a) => sup.signal(a),
    update_start: (a) => sup.update(a, 'start'),
    update_complete: (a) => sup.update(a, 'complete'),
    event: (a) => sup.event(a),
    validate: (a) => sup.validate(a),
    get_data: (a) => sup.getData(a),
    set_data: (a) => sup.setData(a),
    state: (a) => sup.state(a),
    watchdog: (a) => sup.watchdog(a),
  };
  const methods: Record<string, MethodDef> = {};
  for (const [name, fn] of Object.entries(handlers)) {
    methods[name] = {
      policy: SERVICE_POLICIES[name],
      handler: (req) => {
        try {
          const r = fn(req.args as Record<string, unknown>);
          return (r ?? undefined) as UbusData | undefined;
        } catch (err) {
          log(`service ${name}: ${(err as Error).message}`);
          throw new UbusStatusError(statusOf(err), `service ${name}`, { cause: err });
        }
      },
    };
  }
  return ubus.addObject('service', methods);
}

/** A notify callback for the Supervisor that sends to `service`'s subscribers once registered. */
export function notifier(getObject: () => UbusObject | undefined, log: (message: string) => void): (type: string, data: Record<string, unknown>) => void {
  return (type, data) => {
    const obj = getObject();
    if (!obj) return;
    obj.notify(type, data as Record<string, BlobmsgJs>, { timeoutMs: 1000 }).catch((err: unknown) => log(`notify ${type}: ${(err as Error).message}`));
  };
}
