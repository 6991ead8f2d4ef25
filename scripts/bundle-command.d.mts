import type { Metafile } from 'esbuild';

/**
 * Writes imfs-grate.cjs (the launcher) and imfs-grate-main.cjs (the command's code) into `dir`,
 * as make bundles them; returns the metafile of the command's code.
 */
export function bundleCommand(dir: string, options?: { debug?: boolean }): Promise<Metafile>;
