/** copyToUser, copyFromUser and clearUser with Node's memmove where this Node offers it (every tested line does). */
import { expect, test } from 'vitest';
import { findNodeMemmove } from '../../src/core/node-copy.js';
import { copyBytesCases } from '../helpers/copy-bytes-cases.js';
import { COPY_SHAPES, NODE_LINE } from '../helpers/node-lines.js';

test.runIf(NODE_LINE in COPY_SHAPES)(`Node ${NODE_LINE}'s memmove is found, so the cases below use it`, () => {
  expect(findNodeMemmove()).not.toBeNull();
});

copyBytesCases("Node's memmove");
