/**
 * startBroker: a ubusd-compatible broker on a unix socket. Wires the socket server, peer
 * credentials, ACLs and the protocol core (bus.ts).
 */
import { chmodSync, mkdirSync, unlinkSync, lstatSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { BlobmsgType } from '../wire/constants.js';
import { Acl, type AclLoadReport } from './acl.js';
import { Bus, type BusStats } from './bus.js';
import { Names, createProcResolver, ownCreds, type CredsResolver } from './creds.js';
import { blobmsgBody } from './events.js';
import { cryptoRandomU32, type RandomU32 } from './registry.js';

export interface BrokerOptions {
  /** unix socket to listen on; a stale file there is removed first (as ubusd does) */
  socketPath: string;
  /** directory of ubusd JSON ACL files (`-A`); none loaded when undefined */
  aclDir?: string;
  /**
   * How peers are identified: 'auto' (default) uses unix_diag + /proc (Linux) and falls back to
   * 'broker'; 'broker' takes every peer to be the broker's own user and therefore keeps the
   * socket private (0600); a function resolves each accepted socket itself.
   */
  credentials?: 'auto' | 'broker' | CredsResolver;
  /** socket file mode; default 0666 (ubusd's umask 0111) when peers can be identified, else 0600 */
  socketMode?: number;
  /** skip ACL files not owned by root:root (ubusd does; default true) */
  aclCheckOwner?: boolean;
  /** random u32 source for client, object and type ids (default crypto) */
  random?: RandomU32;
  /** passwd/group files for user and group names (default /etc/passwd, /etc/group) */
  passwdFile?: string;
  groupFile?: string;
  /** told why a connection was refused before HELLO (ubusd-ts prints it on stderr) */
  onRefused?: (reason: string) => void;
}

export interface Broker {
  readonly socketPath: string;
  /** 'peercred' (kernel-reported peer uid/gid), 'broker' (own identity, private socket) or 'custom' */
  readonly credentials: 'peercred' | 'broker' | 'custom';
  readonly socketMode: number;
  stats(): BusStats;
  /** re-reads the ACL directory (SIGHUP in ubusd) and sends `ubus.acl.sequence` */
  reloadAcl(): AclLoadReport | undefined;
  close(): Promise<void>;
}

function removeStale(path: string): void {
  try {
    const st = lstatSync(path);
    if (st.isSocket() || st.isFile()) unlinkSync(path);
  } catch { /* nothing there */ }
}

function listen(server: Server, path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // bind happens inside listen(): the umask makes the file born with `mode`, no window
    const old = process.umask(0o777 & ~mode);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(old);
    }
  });
}

export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const names = new Names(opts.passwdFile, opts.groupFile);
  const acl = new Acl(names);
  const bus = new Bus(opts.random ?? cryptoRandomU32, acl);
  const aclLoad = (): AclLoadReport | undefined => {
    if (opts.aclDir === undefined) return undefined;
    const report = acl.load(opts.aclDir, { checkOwner: opts.aclCheckOwner ?? true });
    if (report) bus.events.send(undefined, 'ubus.acl.sequence', blobmsgBody([{ type: BlobmsgType.INT32, name: 'sequence', value: acl.seq }]));
    return report;
  };

  let resolve: CredsResolver;
  let credentials: Broker['credentials'];
  let closeResolver = (): void => {};
  const mode = opts.credentials ?? 'auto';
  if (typeof mode === 'function') {
    resolve = mode;
    credentials = 'custom';
  } else {
    const proc = mode === 'auto' ? await createProcResolver(names) : undefined;
    if (proc) {
      resolve = proc.resolve;
      closeResolver = proc.close;
      credentials = 'peercred';
    } else {
      const own = ownCreds(names);
      resolve = async () => own;
      credentials = 'broker';
    }
  }
  const socketMode = opts.socketMode ?? (credentials === 'broker' ? 0o600 : 0o666);

  const pending = new Set<Socket>();
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    pending.add(socket);
    socket.on('error', () => socket.destroy());
    resolve(socket)
      .catch(() => undefined)
      .then((creds) => {
        pending.delete(socket);
        if (socket.destroyed) return;
        if (!creds) {
          // Credentials come from unix_diag, which only sees sockets of our own network
          // namespace: a peer connecting from another namespace cannot be identified.
          opts.onRefused?.('cannot determine the peer\'s credentials (is it in another network namespace?)');
          socket.destroy();
          return;
        }
        bus.addClient(socket, creds);
        socket.resume();
      });
  });

  mkdirSync(dirname(opts.socketPath), { recursive: true, mode: 0o755 });
  removeStale(opts.socketPath);
  await listen(server, opts.socketPath, socketMode);
  chmodSync(opts.socketPath, socketMode);
  aclLoad();

  let closed: Promise<void> | undefined;
  return {
    socketPath: opts.socketPath,
    credentials,
    socketMode,
    stats: () => bus.stats(),
    reloadAcl: aclLoad,
    close() {
      closed ??= new Promise<void>((done) => {
        server.close(() => done());
        for (const s of pending) s.destroy();
        for (const cl of [...bus.clientList()]) cl.close();
        closeResolver();
        removeStale(opts.socketPath);
      });
      return closed;
    },
  };
}
