/** Writes the imfs-grate command's code, bundled as make bundles it, to `outfile`. */
export function bundleCommandCode(outfile: string, options?: { debug?: boolean }): Promise<void>;
