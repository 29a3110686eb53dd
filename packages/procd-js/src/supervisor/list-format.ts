/**
 * `service list` in procd's shape (service_dump / instance_dump): which keys appear when, and
 * their types. Pure.
 */
import type { ListedInstance, ListedService } from '../types.js';
import { isRunning } from './instance-machine.js';
import type { Instance, Service } from './model.js';

export function dumpInstance(inst: Instance, verbose: boolean): ListedInstance {
  const c = inst.config;
  const running = isRunning(inst.state);
  // keep procd's key order: running, pid, command, term_timeout, exit_code, ...
  const ordered: Record<string, unknown> = { running };
  if (running && inst.state.pid !== undefined) ordered.pid = inst.state.pid;
  if (c.command) ordered.command = [...c.command];
  ordered.term_timeout = c.termTimeout;
  if (!running) ordered.exit_code = inst.state.exitCode;
  if (c.errors.length) ordered.errors = [...c.errors];
  if (Object.keys(c.env).length) ordered.env = { ...c.env };
  const data = inst.data ?? c.data;
  if (data && Object.keys(data).length) ordered.data = data;
  if (Object.keys(c.limits).length) ordered.limits = { ...c.limits };
  if (c.netdev.length) ordered.netdev = [...c.netdev];
  if (c.reloadSignal) ordered.reload_signal = c.reloadSignal;
  if (c.respawn) ordered.respawn = { threshold: c.respawn.threshold, timeout: c.respawn.timeout, retry: c.respawn.retry };
  if (c.noNewPrivs) ordered.no_new_privs = true;
  if (c.pidfile) ordered.pidfile = c.pidfile;
  if (c.user) ordered.user = c.user;
  if (c.group) ordered.group = c.group;
  if (verbose && c.triggers) ordered.triggers = c.triggers;
  if (inst.watchdog.mode !== 0) ordered.watchdog = { mode: inst.watchdog.mode, timeout: inst.watchdog.timeout };
  if (inst.state.phase === 'crashed') ordered.crashed = true;
  return ordered as unknown as ListedInstance;
}

export function dumpService(s: Service, verbose: boolean): ListedService {
  const out: ListedService = {};
  if (!s.autostart) out.autostart = false;
  if (s.data && Object.keys(s.data).length) out.data = s.data;
  if (s.instances.size) {
    out.instances = {};
    for (const inst of [...s.instances.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) out.instances[inst.name] = dumpInstance(inst, verbose);
  }
  if (verbose && s.triggers) out.triggers = s.triggers;
  if (verbose && s.validate) out.validate = s.validate;
  return out;
}
