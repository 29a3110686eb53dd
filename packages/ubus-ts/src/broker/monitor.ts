/**
 * The monitor object (id 3, ubusd_monitor.c): root (uid 0 and gid 0) calls `add` and then gets
 * a MONITOR message for every message the broker receives or sends, with attrs CLIENT, PEER,
 * SEQ, TYPE, SEND and DATA (the original message's attributes), each with its own seq.
 */
import { BLOB_ATTR_LEN_MASK, HEADER_LEN, MonitorAttr, MsgType, Status } from '../wire/constants.js';
import { buildFrame } from './frames.js';
import type { BrokerClient } from './client.js';

export class Monitor {
  private readonly monitors = new Map<BrokerClient, { seq: number }>();

  get active(): boolean {
    return this.monitors.size > 0;
  }

  invoke(cl: BrokerClient, method: string): number {
    if (cl.creds.uid !== 0 || cl.creds.gid !== 0) return Status.PERMISSION_DENIED;
    if (method === 'add') {
      this.monitors.delete(cl);
      this.monitors.set(cl, { seq: 0 });
      return Status.OK;
    }
    if (method === 'remove') {
      this.monitors.delete(cl);
      return Status.OK;
    }
    return Status.METHOD_NOT_FOUND;
  }

  disconnect(cl: BrokerClient): void {
    this.monitors.delete(cl);
  }

  /** ubusd_monitor_message: `cl` is the client the message came from or goes to. */
  message(cl: BrokerClient, bytes: Uint8Array, send: boolean): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const len = view.getUint32(HEADER_LEN) & BLOB_ATTR_LEN_MASK;
    const frame = buildFrame(MsgType.MONITOR, 0, 0, [
      { id: MonitorAttr.CLIENT, u32: cl.id },
      { id: MonitorAttr.PEER, u32: view.getUint32(4) },
      { id: MonitorAttr.SEQ, u32: view.getUint16(2) },
      { id: MonitorAttr.TYPE, u32: view.getUint8(1) },
      { id: MonitorAttr.SEND, u8: send ? 1 : 0 },
      { id: MonitorAttr.DATA, raw: bytes.subarray(HEADER_LEN + 4, HEADER_LEN + len) },
    ]);
    for (const [m, st] of this.monitors) {
      const out = frame.slice();
      st.seq = (st.seq + 1) & 0xffff;
      new DataView(out.buffer).setUint16(2, st.seq);
      m.send(out);
    }
  }
}
