/** wasi:clocks (monotonic-clock, wall-clock) and wasi:random (random, insecure, insecure-seed). */
import { CLOCK_REALTIME, clockNs, randomFill } from '../host-services.js';
import { monotonicNs } from './poll.js';
import type { P2Host } from './host.js';
import type { Pollable } from './poll.js';
import type { Datetime } from './types.js';

/** The clocks' resolution: what the preview1 layer's clock_res_get reports (1 µs). */
const RESOLUTION_NS = 1000n;

export const monotonicNow = (): bigint => monotonicNs();
export const monotonicResolution = (): bigint => RESOLUTION_NS;

export function subscribeInstant(host: P2Host, when: bigint): Pollable {
  return new host.classes.Pollable(when);
}

export function subscribeDuration(host: P2Host, ns: bigint): Pollable {
  return new host.classes.Pollable(monotonicNs() + ns);
}

export function wallNow(): Datetime {
  const ns = clockNs(CLOCK_REALTIME) ?? 0n;
  return { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) };
}

export const wallResolution = (): Datetime => ({ seconds: 0n, nanoseconds: Number(RESOLUTION_NS) });

export function getRandomBytes(len: bigint): Uint8Array {
  // A guest asking for more than a list can hold in its memory has a bug: cap at 1 GiB (a trap beyond).
  if (len > 1n << 30n) throw new RangeError(`wasi:random get-random-bytes: ${len} bytes asked for`);
  const out = new Uint8Array(Number(len));
  randomFill(out, 0, out.length);
  return out;
}

export function getRandomU64(): bigint {
  return process.getBuiltinModule('node:crypto').randomBytes(8).readBigUInt64LE(0);
}

export function insecureSeed(): [bigint, bigint] {
  return [getRandomU64(), getRandomU64()];
}
