// Minimal typing of the parts of npm `raw-socket` the lab uses.
declare module 'raw-socket' {
  import type { EventEmitter } from 'node:events';
  export const AddressFamily: { IPv4: number; IPv6: number };
  export const Protocol: { None: number; ICMP: number; TCP: number; UDP: number; ICMPv6: number };
  export const SocketLevel: { SOL_SOCKET: number; IPPROTO_IP: number; IPPROTO_IPV6: number };
  export const SocketOption: { SO_MARK?: number; IP_HDRINCL: number; IP_TTL: number; SO_BINDTODEVICE?: number; [k: string]: number | undefined };
  export interface RawSocket extends EventEmitter {
    send(buf: Buffer, offset: number, length: number, address: string, before: ((() => void) | null), after: (err: Error | null, bytes: number) => void): void;
    setOption(level: number, option: number, value: number | Buffer, length?: number): void;
    close(): void;
  }
  export function createSocket(opts: { addressFamily?: number; protocol?: number; bufferSize?: number; generateChecksums?: boolean; checksumOffset?: number }): RawSocket;
  export function createChecksum(...bufs: Buffer[]): number;
  export function writeChecksum(buf: Buffer, offset: number, checksum: number): Buffer;
}
