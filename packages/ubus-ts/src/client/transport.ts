/**
 * The byte pipe under a connection. The client never opens sockets itself: it asks a Transport
 * for a Link, so tests can hand it an in-memory pipe and the real program a unix socket.
 */
import { createConnection, type Socket } from 'node:net';
import { UbusError } from '../errors.js';

/** One open byte stream to the broker. */
export interface Link {
  write(bytes: Uint8Array): void;
  /** closes the stream; onClose fires once afterwards */
  close(): void;
  onData(cb: (bytes: Uint8Array) => void): void;
  /** fires once, when the stream is gone (peer closed, error, or close()) */
  onClose(cb: (error?: Error) => void): void;
}

export interface Transport {
  /** opens a new link; rejects with ERR_UBUS_CONNECT when the broker is not there */
  open(): Promise<Link>;
  /** where it connects, for messages */
  readonly describe: string;
}

/** libubus's compiled-in default (UBUS_UNIX_SOCKET). */
export const DEFAULT_SOCKET_PATH = '/var/run/ubus/ubus.sock';

/** A Transport over a unix stream socket (what ubusd listens on). */
export function unixTransport(path: string = DEFAULT_SOCKET_PATH): Transport {
  return {
    describe: path,
    open: () =>
      new Promise<Link>((resolve, reject) => {
        const sock = createConnection({ path });
        const onError = (err: Error): void => {
          sock.destroy();
          reject(new UbusError('ERR_UBUS_CONNECT', `cannot connect to ubus at ${path}: ${err.message}`, { cause: err }));
        };
        sock.once('error', onError);
        sock.once('connect', () => {
          sock.off('error', onError);
          resolve(socketLink(sock));
        });
      }),
  };
}

function socketLink(sock: Socket): Link {
  let closed = false;
  let closeCbs: Array<(error?: Error) => void> = [];
  let lastError: Error | undefined;
  sock.setNoDelay?.(true);
  sock.on('error', (err) => {
    lastError = err;
  });
  sock.on('close', () => {
    if (closed) return;
    closed = true;
    const cbs = closeCbs;
    closeCbs = [];
    for (const cb of cbs) cb(lastError);
  });
  return {
    write: (bytes) => {
      if (!closed && sock.writable) sock.write(bytes);
    },
    close: () => {
      sock.destroy();
    },
    onData: (cb) => {
      sock.on('data', (chunk: Buffer) => cb(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    },
    onClose: (cb) => {
      if (closed) queueMicrotask(() => cb(lastError));
      else closeCbs.push(cb);
    },
  };
}
