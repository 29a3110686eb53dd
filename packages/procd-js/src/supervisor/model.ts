/**
 * The supervisor's data model and the parts it is built from (host, callbacks), shared by
 * supervisor.ts (services) and instance-driver.ts (one instance's effects).
 */
import type { Clock } from 'ubus-ts';
import type { DefinitionHost, InstanceConfig } from './instance-config.js';
import type { InstanceState } from './instance-machine.js';
import type { TriggerRule } from './json-script.js';
import type { Spawner } from './spawner.js';
import type { CommandRunner } from './trigger-queue.js';

/** What the supervisor needs from the machine it runs on, besides processes. */
export interface SupervisorHost extends DefinitionHost {
  /** the environment instances inherit (procd: its own) */
  baseEnv(): Record<string, string>;
  writePidfile(path: string, pid: number): void;
  removePidfile(path: string): void;
  /** uid/gid to run as, or undefined when the user does not exist or cannot be switched to */
  resolveUser(user: string): { uid: number; gid: number } | undefined;
  resolveGroup(group: string): number | undefined;
  /** path of util-linux prlimit, undefined when absent (limits are then not applied) */
  prlimitPath: string | undefined;
}

export interface SupervisorDeps {
  clock: Clock;
  spawner: Spawner;
  host: SupervisorHost;
  /** a notification on the `service` object (procd's ubus_notify) */
  notify(type: string, data: Record<string, unknown>): void;
  /** a diagnostic line (procd's LOG/ERROR) */
  log(message: string): void;
  /** a line of an instance's stdout/stderr when it asked for them (procd: syslog) */
  output(line: { service: string; instance: string; pid: number; argv0: string; stream: 'stdout' | 'stderr'; text: string }): void;
  /** runs a trigger's run_script command (procd: fork + exec, output discarded) */
  runCommand: CommandRunner;
  /** an instance asks to `watch` a ubus object: subscribe, and feed its notifications to fireTrigger (optional) */
  watch?: (path: string) => void;
}

export interface Instance {
  readonly service: Service;
  readonly name: string;
  config: InstanceConfig;
  state: InstanceState;
  timer: unknown;
  /** update_start/complete bracketing (procd's vlist version) */
  version: number;
  watchdog: { mode: number; timeout: number; selfManaged: boolean; timer: unknown };
  /** set_data for this instance */
  data: Record<string, unknown> | undefined;
}

export interface Service {
  readonly name: string;
  script: string | undefined;
  autostart: boolean;
  deleted: boolean;
  instances: Map<string, Instance>;
  triggers: unknown[] | undefined;
  triggerRules: TriggerRule[];
  validate: unknown[] | undefined;
  data: Record<string, unknown> | undefined;
  version: number;
}
