// Runs the benchmark cage under one host in this process: node bench/host-run.mjs HOST [args...]
import { HOSTS } from './hosts.mjs';

const [host, ...args] = process.argv.slice(2);
if (!(host in HOSTS)) { console.error(`unknown host ${host}`); process.exit(2); }
process.stdout.write(await HOSTS[host].run(args));
