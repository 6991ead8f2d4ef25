/** Writes imfs-grate.cjs (the launcher) and imfs-grate-main.cjs (the command's code) into `dir`, as make bundles them. */
export function bundleCommand(dir: string, options?: { debug?: boolean }): Promise<void>;
