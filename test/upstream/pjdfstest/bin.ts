/** Entry point of dist/pjdfstest.js (main.ts). */
import { main } from './main.js';

main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) })
  .then((status) => { process.exitCode = status; });
