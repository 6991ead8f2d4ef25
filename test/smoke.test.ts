import { test } from 'vitest';
import { Imfs, newStat, O_CREAT, O_RDWR, errnoName } from '../src/core/index.js';
test('smoke', () => {
  const fs = new Imfs();
  const st = newStat();
  console.log(fs.mkdir(0, '/a', 0o755), fs.mkdir(0, '/a', 0o755));
  const fd = fs.open(0, '/a/f', O_CREAT | O_RDWR, 0o644);
  console.log('fd', fd, fs.write(0, fd, Buffer.from('hello world')), fs.lseek(0, fd, 0, 0));
  const b = Buffer.alloc(20); console.log(fs.read(0, fd, b), b.toString());
  console.log(fs.stat(0, '/a/f', st), st);
  console.log(fs.symlink(0, 'f', '/a/l'), fs.stat(0, '/a/l', st), st.size);
  console.log(errnoName(fs.rmdir(0, '/a')), fs.unlink(0, '/a/f'), fs.unlink(0, '/a/l'), fs.rmdir(0,'/a'));
  console.log(fs.fstat(0, fd, st), st.nlink, fs.close(0, fd), fs.inodes.live);
});
