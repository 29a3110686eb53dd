/** The controller's own counters (the `metrics` method; `mwan metrics` renders them for Prometheus). */
export interface ControllerMetrics {
  /** events taken from the bus (netifd, trackers, rtmon, admin, reload) */
  events: number;
  /** batches processed (one plan + apply each, at most) */
  batches: number;
  applies: number;
  apply_errors: number;
  /** duration of the last / slowest apply, ms */
  last_apply_ms: number;
  max_apply_ms: number;
  reloads: number;
  reload_errors: number;
  reload_noops: number;
  hooks: number;
  hook_failures: number;
  hook_timeouts: number;
  /** tracker instances added / replaced / deleted at procd */
  tracker_starts: number;
  tracker_replaces: number;
  tracker_stops: number;
  /** interface status changes seen */
  transitions: number;
}

export function newMetrics(): ControllerMetrics {
  return {
    events: 0, batches: 0, applies: 0, apply_errors: 0, last_apply_ms: 0, max_apply_ms: 0,
    reloads: 0, reload_errors: 0, reload_noops: 0, hooks: 0, hook_failures: 0, hook_timeouts: 0,
    tracker_starts: 0, tracker_replaces: 0, tracker_stops: 0, transitions: 0,
  };
}
