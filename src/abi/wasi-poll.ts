/**
 * poll_oneoff: fd subscriptions answered from readiness now; if none is ready, the
 * earliest clock is slept through (no other cage can make a descriptor ready meanwhile).
 */
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, WOULD_BLOCK } from '../core/index.js';
import { clockMs, sleepMs } from './host-services.js';
import * as W from './wasi-constants.js';
import { RIGHT_POLL_FD_READWRITE } from './wasi-rights.js';
import type { WasiAbi } from './wasi.js';

const SUBSCRIPTION_SIZE = 48, EVENT_SIZE = 32;

interface Event { userdata: bigint; error: number; type: number; nbytes: number; flags: number }

export function pollOneoff(w: WasiAbi, inPtr: number, outPtr: number, n: number, neventsPtr: number): number {
  const m = w.m();
  inPtr >>>= 0;
  outPtr >>>= 0;
  n >>>= 0;
  neventsPtr >>>= 0;
  if (n === 0) return W.WASI_EINVAL;
  if (!m.ok(inPtr, n * SUBSCRIPTION_SIZE) || !m.ok(outPtr, n * EVENT_SIZE) || !m.ok(neventsPtr, 4)) return W.WASI_EFAULT;
  const events: Event[] = [];
  const failed = (userdata: bigint, type: number, error: number) => events.push({ userdata, error, type, nbytes: 0, flags: 0 });
  let earliest = Infinity;
  const clocks: { userdata: bigint; deadline: number }[] = [];
  for (let i = 0; i < n; i++) {
    const s = inPtr + i * SUBSCRIPTION_SIZE;
    const userdata = m.dv.getBigUint64(s, true);
    const tag = m.u8[s + 8];
    if (tag === W.EVENTTYPE_CLOCK) {
      const id = m.u32(s + 16);
      const timeout = Number(m.dv.getBigUint64(s + 24, true)) / 1e6;
      const flags = m.dv.getUint16(s + 40, true);
      const now = clockMs(id);
      if (now === null) { failed(userdata, tag, W.WASI_EINVAL); continue; }
      const wait = flags & W.SUBCLOCKFLAGS_ABSTIME ? timeout - now : timeout;
      clocks.push({ userdata, deadline: wait });
      earliest = Math.min(earliest, wait);
    } else if (tag === W.EVENTTYPE_FD_READ || tag === W.EVENTTYPE_FD_WRITE) {
      const fd = m.u32(s + 16);
      const denied = w.need(fd, RIGHT_POLL_FD_READWRITE);
      if (denied !== 0) { failed(userdata, tag, denied); continue; }
      const want = tag === W.EVENTTYPE_FD_READ ? POLLIN : POLLOUT;
      const revents = w.fs.poll(w.cage, fd, want);
      if (revents & POLLNVAL) failed(userdata, tag, W.WASI_EBADF);
      else if (revents !== 0) {
        const nbytes = tag === W.EVENTTYPE_FD_READ ? Math.max(0, w.fs.fionread(w.cage, fd)) : 0;
        events.push({ userdata, error: revents & POLLERR && !(revents & want) ? W.WASI_EIO : 0, type: tag, nbytes,
          flags: revents & POLLHUP ? W.EVENTRWFLAGS_HANGUP : 0 });
      }
    } else {
      failed(userdata, tag, W.WASI_EINVAL);
    }
  }
  if (events.length === 0) {
    if (clocks.length === 0) return w.errno(WOULD_BLOCK, 'poll_oneoff');
    sleepMs(earliest);
    for (const c of clocks) if (c.deadline <= earliest) events.push({ userdata: c.userdata, error: 0, type: W.EVENTTYPE_CLOCK, nbytes: 0, flags: 0 });
  }
  events.forEach((e, i) => {
    const o = outPtr + i * EVENT_SIZE;
    m.u8.fill(0, o, o + EVENT_SIZE);
    m.dv.setBigUint64(o, e.userdata, true);
    m.setU16(o + 8, e.error);
    m.u8[o + 10] = e.type;
    m.dv.setBigUint64(o + 16, BigInt(e.nbytes), true);
    m.setU16(o + 24, e.flags);
  });
  m.setU32(neventsPtr, events.length);
  return 0;
}
