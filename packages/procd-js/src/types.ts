/**
 * procd's `service` object vocabulary as it is on the bus: instance descriptions (what
 * /lib/functions/procd.sh sends), the `service list` reply and the notifications procd sends to
 * subscribers of `service`. Field names and value types are procd's (service/instance.c).
 */

/** An instance description as procd receives it in `service set`/`add` (`instances.<name>`). */
export interface WireInstance {
  /** argv; argv[0] is looked up in PATH */
  command?: string[];
  /** extra environment (added to the supervisor's own environment) */
  env?: Record<string, string>;
  /** free-form data; a change is reported as a data update, it does not restart the instance */
  data?: Record<string, unknown>;
  /** [threshold, timeout, retry] in seconds / count, as strings (procd reads them with atoi) */
  respawn?: string[];
  /** seconds between SIGTERM and SIGKILL when stopping (default 5) */
  term_timeout?: number;
  /** rlimits: name → "soft [hard]" or "unlimited" (as, core, cpu, data, fsize, memlock, nofile, nproc, rss, stack, ...) */
  limits?: Record<string, string>;
  user?: string;
  group?: string;
  /** capture stdout / stderr to the log (default: discarded) */
  stdout?: boolean;
  stderr?: boolean;
  pidfile?: string;
  /** network devices whose ifindex is part of the definition (a re-created device restarts the instance) */
  netdev?: string[];
  /** files whose content is part of the definition (a changed file restarts the instance) */
  file?: string[];
  /** ubus objects to watch (procd subscribes and runs the instance's triggers on their notifications) */
  watch?: string[];
  /** json_script trigger rules of this instance */
  triggers?: unknown[];
  nice?: number;
  /** signal sent instead of a restart when the definition changes */
  reload_signal?: number;
  /** error strings: an instance with errors is not started */
  error?: string[];
  facility?: string;
  /** [mode, timeout]: 0 off, 1 passive, 2 active; timeout in seconds (strings) */
  watchdog?: string[];
  no_new_privs?: boolean;
  [key: string]: unknown;
}

/** `service set` / `service add` arguments. */
export interface WireServiceSet {
  name: string;
  script?: string;
  instances?: Record<string, WireInstance>;
  triggers?: unknown[];
  validate?: unknown[];
  autostart?: boolean;
  data?: Record<string, unknown>;
}

/** One instance as `service list` shows it (instance_dump). */
export interface ListedInstance {
  running: boolean;
  pid?: number;
  command?: string[];
  term_timeout: number;
  exit_code?: number;
  errors?: string[];
  env?: Record<string, string>;
  data?: Record<string, unknown>;
  limits?: Record<string, string>;
  netdev?: string[];
  reload_signal?: number;
  respawn?: { threshold: number; timeout: number; retry: number };
  pidfile?: string;
  user?: string;
  group?: string;
  watchdog?: { mode: number; timeout: number };
  /** procd-ts only: present (true) when respawn gave up after `retry` fast crashes (procd's instance.fail) */
  crashed?: boolean;
  triggers?: unknown[];
}

/** One service as `service list` shows it (service_dump). */
export interface ListedService {
  /** only present (false) when the service does not autostart */
  autostart?: boolean;
  data?: Record<string, unknown>;
  instances?: Record<string, ListedInstance>;
  triggers?: unknown[];
  validate?: unknown[];
}

/** `service list` reply: service name → service. */
export type ServiceList = Record<string, ListedService>;

/** Notification types procd sends to subscribers of the `service` object. */
export type ServiceNotificationType =
  | 'service.start'
  | 'service.stop'
  | 'instance.start'
  | 'instance.stop'
  | 'instance.respawn'
  | 'instance.fail'
  | 'event.trigger'
  | 'config.change';

/** Data of instance.respawn / instance.fail (service_event_instance_exit). */
export interface InstanceExitNotification {
  service: string;
  instance: string;
  pid: number;
  exit_code: number;
  respawn_count: number;
  command?: string[];
}
