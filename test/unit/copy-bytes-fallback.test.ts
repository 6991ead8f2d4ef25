/** copyToUser, copyFromUser and clearUser on a Node without the memmove node-copy.ts looks for. */
import { expect, test, vi } from 'vitest';
import { findNodeMemmove } from '../../src/core/node-copy.js';
import { copyBytesCases } from '../helpers/copy-bytes-cases.js';

vi.mock('../../src/core/node-copy.js', () => ({ findNodeMemmove: () => null }));

test('the memmove is taken away here', () => {
  expect(findNodeMemmove()).toBeNull();
});

copyBytesCases('public APIs only');
