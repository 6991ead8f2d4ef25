/** copyToUser, copyFromUser and clearUser with Node's memmove where this Node offers it (Node 20 does). */
import { expect, test } from 'vitest';
import { findNodeMemmove } from '../../src/core/node-copy.js';
import { copyBytesCases } from '../helpers/copy-bytes-cases.js';

test.runIf(process.versions.node.startsWith('20.'))("Node 20's memmove is found, so the cases below use it", () => {
  expect(findNodeMemmove()).not.toBeNull();
});

copyBytesCases("Node's memmove");
