/**
 * Performs what the instance machine decides for one instance: spawns through the Spawner,
 * signals, the instance's timer and watchdog timer on the Clock, notifications, pidfiles.
 * Feeds the results (spawned, exit, timer) back into the machine.
 */
import type { InstanceConfig } from './instance-config.js';
import { handle, isRunning, type Effect, type InstanceEvent, type NotifyType } from './instance-machine.js';
import { limitsPrefix } from './limits.js';
import type { Instance, SupervisorDeps } from './model.js';

export class InstanceDriver {
  constructor(
    private readonly deps: SupervisorDeps,
    /** the instance reached `deleted`: the supervisor forgets it */
    private readonly onDeleted: (inst: Instance) => void,
  ) {}

  /** Feeds an event to the instance's machine and performs the resulting effects. `policyConfig` is the definition whose policy applies (the running one during a restart). */
  dispatch(inst: Instance, event: InstanceEvent, policyConfig: InstanceConfig = inst.config): void {
    const t = handle(inst.state, event, policyConfig);
    inst.state = t.state;
    for (const e of t.effects) this.perform(inst, e);
  }

  private perform(inst: Instance, e: Effect): void {
    const { clock, spawner, host } = this.deps;
    switch (e.kind) {
      case 'spawn':
        this.spawn(inst);
        return;
      case 'signal':
        if (inst.state.pid !== undefined) spawner.signal(inst.state.pid, e.signal, e.group);
        return;
      case 'arm-timer':
        if (inst.timer !== undefined) clock.clearTimeout(inst.timer);
        inst.timer = clock.setTimeout(() => {
          inst.timer = undefined;
          this.dispatch(inst, { type: 'timer' });
        }, e.ms);
        return;
      case 'cancel-timer':
        if (inst.timer !== undefined) clock.clearTimeout(inst.timer);
        inst.timer = undefined;
        return;
      case 'notify':
        this.notifyInstance(inst, e.type);
        return;
      case 'remove-pidfile':
        if (inst.config.pidfile) host.removePidfile(inst.config.pidfile);
        return;
      case 'deleted':
        this.clearWatchdog(inst);
        this.onDeleted(inst);
        return;
      case 'log':
        this.deps.log(`Instance ${inst.service.name}::${inst.name}: ${e.message}`);
        return;
    }
  }

  private spawn(inst: Instance): void {
    const c = inst.config;
    if (!c.command || c.errors.length > 0) {
      inst.state = { ...inst.state, phase: 'idle' };
      return;
    }
    const { host, spawner, clock } = this.deps;
    let argv = c.command;
    if (Object.keys(c.limits).length > 0) {
      if (host.prlimitPath) argv = [...limitsPrefix(c.limits, host.prlimitPath), ...argv];
      else this.deps.log(`Instance ${inst.service.name}::${inst.name}: limits not applied (prlimit not found)`);
    }
    const user = c.user ? host.resolveUser(c.user) : undefined;
    const gid = c.group ? host.resolveGroup(c.group) : undefined;
    const argv0 = c.command[0]!.split('/').pop()!;
    let pid: number | undefined;
    let exited = false;
    pid = spawner.spawn(
      {
        argv,
        env: { ...host.baseEnv(), ...c.env },
        captureStdout: c.stdout,
        captureStderr: c.stderr,
        uid: user?.uid,
        gid: gid ?? user?.gid,
        nice: c.nice || undefined,
      },
      {
        onExit: (code) => {
          exited = true;
          // an exit of a process this instance no longer owns is ignored
          if (pid !== undefined && inst.state.pid !== pid) return;
          this.clearWatchdog(inst);
          this.dispatch(inst, { type: 'exit', code, at: clock.now() });
        },
        onOutput: (stream, text) => {
          this.deps.output({ service: inst.service.name, instance: inst.name, pid: pid ?? 0, argv0, stream, text });
        },
      },
    );
    if (pid === undefined || exited) return;
    this.dispatch(inst, { type: 'spawned', pid, at: clock.now() });
    if (c.pidfile) host.writePidfile(c.pidfile, pid);
    this.armWatchdog(inst);
  }

  /** (Re)arms the watchdog timer of a running instance whose watchdog mode is not 0. */
  armWatchdog(inst: Instance): void {
    this.clearWatchdog(inst);
    const wd = inst.watchdog;
    if (wd.mode === 0 || !isRunning(inst.state)) return;
    wd.timer = this.deps.clock.setTimeout(() => {
      wd.timer = undefined;
      this.deps.log(`Instance ${inst.service.name}::${inst.name}: watchdog expired`);
      if (inst.config.respawn) this.dispatch(inst, { type: 'restart' }, { ...inst.config, reloadSignal: 0 });
      else this.dispatch(inst, { type: 'stop', then: 'delete' });
    }, wd.timeout * 1000);
  }

  clearWatchdog(inst: Instance): void {
    if (inst.watchdog.timer !== undefined) this.deps.clock.clearTimeout(inst.watchdog.timer);
    inst.watchdog.timer = undefined;
  }

  private notifyInstance(inst: Instance, type: NotifyType): void {
    const base = { service: inst.service.name, instance: inst.name };
    if (type === 'instance.respawn' || type === 'instance.fail') {
      this.deps.notify(type, {
        ...base,
        pid: inst.state.pid ?? inst.state.lastPid ?? 0,
        exit_code: inst.state.exitCode,
        respawn_count: inst.state.respawnCount,
        ...(inst.config.command ? { command: inst.config.command } : {}),
      });
    } else {
      this.deps.notify(type, base);
    }
  }
}
