/** Where imfs-grate keeps what it caches for a user: component transpilations, compiled code. */

// Built-ins by getBuiltinModule, not `import * as`: the command's CommonJS bundle would copy every export (launcher.ts).
const nodepath = process.getBuiltinModule('node:path');
const os = process.getBuiltinModule('node:os');

/** $XDG_CACHE_HOME/imfs-grate when that is an absolute path, else ~/.cache/imfs-grate. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && nodepath.isAbsolute(xdg) ? xdg : nodepath.join(env.HOME ?? os.homedir(), '.cache');
  return nodepath.join(base, 'imfs-grate');
}
