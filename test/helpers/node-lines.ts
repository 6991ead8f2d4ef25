/** What was found on each Node line this project tests (scripts/node-line.sh pins them). */
import type { CopyShape } from '../../src/core/node-copy.js';

/** This process's Node line: '20', '22', … */
export const NODE_LINE = process.versions.node.split('.')[0];

/** The shape of the buffer binding's copy on each tested line (node-copy.ts). */
export const COPY_SHAPES: Record<string, CopyShape> = { 20: 'end', 22: 'count', 24: 'count', 26: 'count' };
