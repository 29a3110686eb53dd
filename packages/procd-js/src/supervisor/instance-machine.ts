/**
 * One instance's lifecycle as a pure state machine: `handle(state, event, policy)` returns the
 * next state and the effects to perform. No I/O, no clock: the supervisor feeds it events
 * (including the time they happened) and performs the effects. Every state and transition is
 * written down in docs/procd.md; they mirror procd's instance_start / instance_exit /
 * instance_stop / instance_restart / instance_timeout.
 */
import type { RespawnPolicy } from './instance-config.js';

export type Phase =
  /** not running: never started, exited without respawn, or stopped with `state {spawn:false}` */
  | 'idle'
  /** spawn requested, pid not known yet */
  | 'starting'
  | 'running'
  /** SIGTERM sent, waiting for the exit; the timer sends SIGKILL after term_timeout */
  | 'stopping'
  /** exited, respawn timer armed */
  | 'respawn_wait'
  /** respawn gave up after `retry` fast failures (procd: instance.fail) */
  | 'crashed'
  /** stopped for deletion; the supervisor forgets the instance */
  | 'deleted';

/** What to do once a stopping process has exited. */
export type AfterStop = 'idle' | 'delete' | 'restart';

export interface InstanceState {
  readonly phase: Phase;
  readonly pid: number | undefined;
  /** pid of the process that last exited (procd reports it in instance.respawn/fail) */
  readonly lastPid: number | undefined;
  /** clock time (ms) the current process was started */
  readonly startedAt: number | undefined;
  readonly exitCode: number;
  /** consecutive fast failures (procd's respawn_count) */
  readonly respawnCount: number;
  /** only meaningful while `stopping` */
  readonly after: AfterStop;
}

export const initialState: InstanceState = {
  phase: 'idle',
  pid: undefined,
  lastPid: undefined,
  startedAt: undefined,
  exitCode: 0,
  respawnCount: 0,
  after: 'idle',
};

/** What the machine needs from the instance's definition. */
export interface MachinePolicy {
  respawn: RespawnPolicy | undefined;
  /** seconds */
  termTimeout: number;
  /** signal number sent on a definition change instead of a restart (0 = restart) */
  reloadSignal: number;
}

export type InstanceEvent =
  /** start now (new instance, `set` of a stopped one, `state {spawn:true}`) */
  | { type: 'start' }
  /** the spawner started the process */
  | { type: 'spawned'; pid: number; at: number }
  /** the process exited; `code` as procd computes it (status, or 128 + signal) */
  | { type: 'exit'; code: number; at: number }
  /** stop; `then: 'delete'` forgets the instance afterwards (procd's halt) */
  | { type: 'stop'; then: 'idle' | 'delete' }
  /** the definition changed: restart (or send reload_signal) */
  | { type: 'restart' }
  /** the instance's single timer fired (SIGKILL while stopping, respawn while waiting) */
  | { type: 'timer' };

export type NotifyType = 'instance.start' | 'instance.stop' | 'instance.respawn' | 'instance.fail';

export type Effect =
  | { kind: 'spawn' }
  /** signal the process (group: the whole process group) */
  | { kind: 'signal'; signal: number; group: boolean }
  | { kind: 'arm-timer'; ms: number }
  | { kind: 'cancel-timer' }
  | { kind: 'notify'; type: NotifyType }
  | { kind: 'remove-pidfile' }
  | { kind: 'deleted' }
  | { kind: 'log'; message: string };

export interface Transition {
  state: InstanceState;
  effects: Effect[];
}

export const SIGKILL = 9;
export const SIGTERM = 15;

const stay = (state: InstanceState): Transition => ({ state, effects: [] });

function startFrom(state: InstanceState, resetCount: boolean): Transition {
  return {
    state: { ...state, phase: 'starting', pid: undefined, startedAt: undefined, after: 'idle', respawnCount: resetCount ? 0 : state.respawnCount },
    effects: [{ kind: 'cancel-timer' }, { kind: 'spawn' }],
  };
}

function beginStop(state: InstanceState, after: AfterStop, policy: MachinePolicy): Transition {
  return {
    state: { ...state, phase: 'stopping', after },
    effects: [
      { kind: 'signal', signal: SIGTERM, group: true },
      { kind: 'arm-timer', ms: policy.termTimeout * 1000 },
    ],
  };
}

function onExit(state: InstanceState, code: number, at: number, policy: MachinePolicy): Transition {
  const exited: InstanceState = { ...state, pid: undefined, lastPid: state.pid, exitCode: code };
  const effects: Effect[] = [{ kind: 'cancel-timer' }, { kind: 'notify', type: 'instance.stop' }];
  if (state.phase === 'stopping') {
    effects.push({ kind: 'remove-pidfile' });
    if (state.after === 'delete') return { state: { ...exited, phase: 'deleted' }, effects: [...effects, { kind: 'deleted' }] };
    if (state.after === 'restart') return { state: { ...exited, phase: 'starting', after: 'idle' }, effects: [...effects, { kind: 'spawn' }] };
    return { state: { ...exited, phase: 'idle', after: 'idle' }, effects };
  }
  const r = policy.respawn;
  if (!r) return { state: { ...exited, phase: 'idle' }, effects };
  const runtimeMs = at - (state.startedAt ?? at);
  const respawnCount = runtimeMs < r.threshold * 1000 ? state.respawnCount + 1 : 0;
  if (r.retry > 0 && respawnCount > r.retry) {
    return {
      state: { ...exited, phase: 'crashed', respawnCount },
      effects: [
        ...effects,
        { kind: 'log', message: `in a crash loop: ${respawnCount} crashes, ${Math.floor(runtimeMs / 1000)} seconds since last start; giving up` },
        { kind: 'notify', type: 'instance.fail' },
      ],
    };
  }
  return {
    state: { ...exited, phase: 'respawn_wait', respawnCount },
    effects: [...effects, { kind: 'notify', type: 'instance.respawn' }, { kind: 'arm-timer', ms: r.timeout * 1000 }],
  };
}

/** The transition function. Events that make no sense in a phase leave the state unchanged. */
export function handle(state: InstanceState, event: InstanceEvent, policy: MachinePolicy): Transition {
  switch (event.type) {
    case 'start':
      switch (state.phase) {
        case 'idle':
        case 'respawn_wait':
          return startFrom(state, false);
        case 'crashed':
          // an explicit start gives a crashed instance a fresh retry budget
          return startFrom(state, true);
        case 'stopping':
          // procd: starting a halting instance restarts it once it has exited
          return stay({ ...state, after: 'restart' });
        default:
          return stay(state);
      }

    case 'spawned':
      if (state.phase !== 'starting') return stay(state);
      return { state: { ...state, phase: 'running', pid: event.pid, startedAt: event.at }, effects: [{ kind: 'notify', type: 'instance.start' }] };

    case 'exit':
      if (state.phase === 'starting') return onExit({ ...state, startedAt: event.at }, event.code, event.at, policy);
      if (state.phase !== 'running' && state.phase !== 'stopping') return stay(state);
      return onExit(state, event.code, event.at, policy);

    case 'stop':
      switch (state.phase) {
        case 'running':
        case 'starting':
          return beginStop(state, event.then, policy);
        case 'stopping':
          // procd re-sends SIGTERM and re-arms the timer; a delete wins over a restart
          return beginStop(state, event.then === 'delete' ? 'delete' : state.after === 'restart' ? 'idle' : state.after, policy);
        case 'deleted':
          return stay(state);
        default:
          if (event.then === 'delete') return { state: { ...state, phase: 'deleted' }, effects: [{ kind: 'cancel-timer' }, { kind: 'deleted' }] };
          return { state: { ...state, phase: 'idle' }, effects: [{ kind: 'cancel-timer' }] };
      }

    case 'restart':
      switch (state.phase) {
        case 'running':
          if (policy.reloadSignal > 0) return { state, effects: [{ kind: 'signal', signal: policy.reloadSignal, group: false }] };
          return beginStop(state, 'restart', policy);
        case 'starting':
          return beginStop(state, 'restart', policy);
        case 'stopping':
          return stay({ ...state, after: 'restart' });
        case 'deleted':
          return stay(state);
        default:
          return startFrom(state, state.phase === 'crashed');
      }

    case 'timer':
      if (state.phase === 'stopping') {
        return { state, effects: [{ kind: 'log', message: `not stopped on SIGTERM after ${policy.termTimeout} s, sending SIGKILL` }, { kind: 'signal', signal: SIGKILL, group: true }] };
      }
      if (state.phase === 'respawn_wait') return { state: { ...state, phase: 'starting' }, effects: [{ kind: 'spawn' }] };
      return stay(state);
  }
}

/** True while a process exists for the instance (procd's proc.pending). */
export function isRunning(state: InstanceState): boolean {
  return state.phase === 'running' || state.phase === 'stopping' || state.phase === 'starting';
}
