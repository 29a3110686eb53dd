/**
 * mwand: wires the controller to the bus, procd, the dataplane and the hook runner. Nothing
 * here decides anything (STYLE 9): see controller.ts.
 */
import { join } from 'node:path';
import { loadConfig as loadMwanConfig } from 'mwan-config';
import { createApplier, createKernelBackend, createRecordingBackend } from 'mwan-dataplane';
import { createProcdClient } from 'procd-js';
import { connect } from 'ubus-ts/client/index';
import { parseArgs } from './args.js';
import { Controller } from './controller.js';
import { realClock } from './core/clock.js';
import { ConfigRejectedError } from './errors.js';
import { MwanEvents } from './events.js';
import { HookRunner } from './hooks.js';
import { OBJECT_PATH, publishMwan } from './ubus-api.js';
import { createConfigLoader } from './adapters/config.js';
import { createDataplanePort, defaultMark } from './adapters/dataplane.js';
import { createNetifdPort } from './adapters/netifd.js';
import { createRtmonPort } from './adapters/rtmon.js';
import { createTrackerPort } from './adapters/trackers.js';
import { teardown } from './adapters/teardown.js';
import { createRouteTables } from './adapters/route-tables.js';
import { checkNow, teardownNow } from './oneshot.js';

function log(m: string): void {
  process.stderr.write(`mwand: ${m}\n`);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 64;
  }
  const configFile = join(args.configDir, 'mwan');
  const loadConfig = createConfigLoader(() => loadMwanConfig(args.configDir), log);

  if (args.mode === 'check') return checkNow({ configFile, loadConfig, log });
  if (args.mode === 'teardown') {
    const backend = args.dataplane === 'recording' ? createRecordingBackend() : createKernelBackend(args.netns ? { netns: args.netns } : {});
    const routeTables = args.dataplane === 'recording' ? undefined : createRouteTables(args.netns ? { netns: args.netns } : {});
    return teardownNow({ configFile, loadConfig, log, backend, ...(routeTables ? { routeTables } : {}) });
  }

  let bus;
  try {
    bus = await connect({ socketPath: args.socket, timeoutMs: 10_000 });
  } catch (err) {
    log(`cannot reach ubus at ${args.socket}: ${(err as Error).message}`);
    return 2;
  }
  const backend = args.dataplane === 'recording' ? createRecordingBackend() : createKernelBackend(args.netns ? { netns: args.netns } : {});
  const routeTables = args.dataplane === 'recording' ? undefined : createRouteTables(args.netns ? { netns: args.netns } : {});
  const events = new MwanEvents(bus, log);
  let controller: Controller | undefined;
  const hooks = new HookRunner({
    path: args.hook,
    fallback: args.hookFallback,
    timeoutMs: args.hookTimeoutMs,
    clock: realClock,
    log,
    onResult: (r) => {
      controller?.countHook(r.result);
      if (r.result !== 'ok') void events.hook(r);
    },
  });
  const mask = (): number => controller?.state().config.globals.mmxMask ?? 0x3f00;
  controller = new Controller({
    clock: realClock,
    loadConfig,
    dataplane: createDataplanePort(createApplier({ backend }), { nft: backend }),
    netifd: createNetifdPort(bus, realClock),
    trackers: createTrackerPort({ procd: createProcdClient(bus), bus, clock: realClock, command: args.trackCommand, socket: args.socket, mark: () => defaultMark(mask()) }),
    rtmon: createRtmonPort(bus),
    events,
    hooks,
    log,
    coalesceMs: args.coalesceMs,
    teardown: (st) => teardown(backend, st.config.globals.mmxMask, st.config.interfaces.map((i) => i.id), routeTables),
  });
  try {
    await controller.start();
  } catch (err) {
    if (err instanceof ConfigRejectedError) log(`${configFile}: configuration rejected, nothing applied:\n${err.errors.join('\n')}`);
    else log(`start failed, nothing applied: ${(err as Error).message}`);
    await bus.close();
    return 1;
  }
  const c = controller;
  await bus.listen('network.interface', (_t, d) => {
    if (typeof d.interface === 'string') c.onNetifdEvent(d.interface);
  });
  await bus.listen('mwan.track', (_t, d) => c.onTrackEvent(d as Record<string, unknown>));
  await bus.listen('mwan.track.figures', (_t, d) => c.onTrackFigures(d as Record<string, unknown>));
  await bus.listen('mwan.rtmon', () => c.onRtmonEvent());
  // a tracker that (re)registers its object learns its device, even if it started late
  // (and a netifd that (re)started is asked for its state, it sends no event for what is already up)
  await bus.listen('ubus.object.add', (_t, d) => {
    const path = typeof d.path === 'string' ? d.path : '';
    const track = /^mwan\.track\.(.+)$/.exec(path);
    if (track) c.onTrackerAppeared(track[1]!);
    const net = /^network\.interface\.(.+)$/.exec(path);
    if (net) c.onNetifdEvent(net[1]!);
    if (path === 'mwan.rtmon') c.onRtmonEvent();
  });
  // procd replaces a service's instances on `service set` (e.g. `/etc/init.d/mwan start` while
  // running): it stops our tracker instances and tells subscribers of its `service` object.
  // Any tracker instance that stops makes us compare procd's list with the config again.
  try {
    await bus.subscribe('service', (type, d) => {
      if (type === 'instance.stop' && d.service === 'mwan' && typeof d.instance === 'string' && d.instance.startsWith('track_')) c.resync();
    });
  } catch (err) {
    log(`cannot subscribe to procd's service object (${(err as Error).message}); trackers removed behind our back are restored only at the next reload`);
  }
  await publishMwan(bus, c, log);
  // events between the first resync and the listeners above: ask once more
  c.resync();
  log(`running (config ${configFile}, ubus ${args.socket})`);

  return new Promise<number>((resolve) => {
    const stop = async (): Promise<void> => {
      if (args.teardownOnExit) {
        try {
          await c.teardown();
        } catch (err) {
          log(`stopped: removing the kernel state failed: ${(err as Error).message}`);
        }
      } else if (!c.isTornDown()) {
        log('stopped: table inet mwan, ip rules and routes left in place (traffic keeps flowing; `ubus call mwan teardown` removes them)');
      }
      c.stop();
      await hooks.stop();
      await bus.close().catch(() => {});
      resolve(0);
    };
    // the bus: say when it goes and comes back; without our object we are useless, so a broker
    // that refuses to take `mwan` back ends us (procd respawns mwand, which publishes it anew)
    bus.onEvent((e) => {
      if (e.kind === 'disconnected') log(`lost the ubus connection at ${args.socket}${e.error ? ` (${e.error.message})` : ''}; reconnecting, the kernel state stays as it is`);
      else if (e.kind === 'reconnected') {
        log(`ubus connection back at ${args.socket} (client id ${e.clientId.toString(16)}); asking everyone for their state again`);
        c.resync();
      } else if (e.kind === 'restore-failed') {
        log(`after reconnecting, the broker refused object '${e.path ?? '?'}': ${e.error.message}`);
        if (e.path === OBJECT_PATH) {
          log(`exiting: without object '${OBJECT_PATH}' mwand cannot be reached (procd restarts it)`);
          c.stop();
          void bus.close().catch(() => {});
          resolve(1);
        }
      }
    });
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
    process.on('SIGHUP', () => {
      void c.reload().then((o) => log(`reload (SIGHUP): ${o.result}${o.errors ? `\n${o.errors.join('\n')}` : ''}`));
    });
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`fatal: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
