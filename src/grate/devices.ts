/**
 * What a fresh grate IMFS holds: /tmp (1777) and /dev with working null, zero, full,
 * random and urandom character devices (Linux's major 1 numbers).
 */
import { ENOSPC, S_IFCHR, type Device, type Imfs } from '../core/index.js';
import { randomFill } from '../abi/host-services.js';
import { clearUser } from '../core/copy-bytes.js';

const GRATE = 0;

const DEVICES: { name: string; minor: number; device: Device }[] = [
  { name: 'null', minor: 3, device: { seekable: true, read: () => 0, write: (_s, _o, len) => len } },
  { name: 'zero', minor: 5, device: { seekable: true, read: (d, off, len) => { clearUser(d, off, len); return len; }, write: (_s, _o, len) => len } },
  { name: 'full', minor: 7, device: { seekable: true, read: (d, off, len) => { clearUser(d, off, len); return len; }, write: () => -ENOSPC } },
  { name: 'random', minor: 8, device: { seekable: true, read: (d, off, len) => { randomFill(d, off, len); return len; }, write: (_s, _o, len) => len } },
  { name: 'urandom', minor: 9, device: { seekable: true, read: (d, off, len) => { randomFill(d, off, len); return len; }, write: (_s, _o, len) => len } },
];

/** Registers the /dev drivers on `fs` (always: a bare root may still mknod them). */
export function registerDevices(fs: Imfs): void {
  for (const d of DEVICES) fs.registerDevice('c', 1, d.minor, d.device);
}

/** Creates /tmp and /dev with the device nodes, as programs expect to find them. */
export function populateRoot(fs: Imfs): void {
  const check = (r: number, what: string) => {
    if (r < 0) throw new Error(`cannot create ${what} in the IMFS (errno ${-r})`);
  };
  check(fs.mkdir(GRATE, '/tmp', 0o777), '/tmp');
  check(fs.chmod(GRATE, '/tmp', 0o1777), '/tmp');
  check(fs.mkdir(GRATE, '/dev', 0o755), '/dev');
  for (const d of DEVICES) {
    check(fs.mknod(GRATE, `/dev/${d.name}`, S_IFCHR | 0o666, 1, d.minor), `/dev/${d.name}`);
    check(fs.chmod(GRATE, `/dev/${d.name}`, 0o666), `/dev/${d.name}`);
  }
}
