/**
 * Credentials and permission checks as Linux makes them (fs/namei.c generic_permission):
 * one class of permission bits applies (owner, else group, else other), chosen with the
 * effective (filesystem) uid, effective gid and supplementary groups; uid 0 overrides
 * read and write everywhere, and execute/search where the inode is a directory or has
 * any execute bit.
 */
import { S_IFDIR, S_IFMT, S_IXUSR, S_IXGRP, S_IXOTH } from './constants.js';
import type { InodeTable } from './inode-table.js';

export interface Credentials {
  uid: number;
  gid: number;
  euid: number;
  egid: number;
  /** Supplementary groups. */
  groups: number[];
}

export const MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;

export function rootCredentials(): Credentials {
  return { uid: 0, gid: 0, euid: 0, egid: 0, groups: [0] };
}

export function isRoot(cred: Credentials): boolean {
  return cred.euid === 0;
}

/** in_group_p: the effective gid or one of the supplementary groups. */
export function inGroup(cred: Credentials, gid: number): boolean {
  return cred.egid === gid || cred.groups.includes(gid);
}

/** Whether `cred` may access inode `ino` for every bit of `mask` (MAY_READ | MAY_WRITE | MAY_EXEC). */
export function permits(table: InodeTable, cred: Credentials, ino: number, mask: number): boolean {
  const mode = table.mode[ino];
  if (cred.euid === 0) {
    if ((mask & MAY_EXEC) === 0) return true;
    return (mode & S_IFMT) === S_IFDIR || (mode & (S_IXUSR | S_IXGRP | S_IXOTH)) !== 0;
  }
  let bits: number;
  if (cred.euid === table.uid[ino]) bits = mode >> 6;
  else if (inGroup(cred, table.gid[ino])) bits = mode >> 3;
  else bits = mode;
  return (bits & mask & 7) === (mask & 7);
}

/** inode_owner_or_capable: the owner, or root. */
export function ownerOrRoot(table: InodeTable, cred: Credentials, ino: number): boolean {
  return cred.euid === 0 || cred.euid === table.uid[ino];
}

/** The real-id credentials access(2) checks with (unless AT_EACCESS). */
export function realCredentials(cred: Credentials): Credentials {
  return { uid: cred.uid, gid: cred.gid, euid: cred.uid, egid: cred.gid, groups: cred.groups };
}
