# A Ruby script that works a directory tree over, for test/real/ruby.test.ts.
# Under the grate every path here is in the IMFS; the test compares what it prints with
# what the same script prints under Ruby on a Linux tmpfs, and then inspects the IMFS.
$stdout.sync = true
require "fileutils"
require "json"
require "tempfile"

ROOT = ENV.fetch("ROOT", "/work")
def show(label, value) = puts("#{label}: #{value.inspect}")
def rel(paths) = paths.map { |p| p.delete_prefix("#{ROOT}/") }

# Build a tree.
FileUtils.mkdir_p("#{ROOT}/src/lib/deep")
Dir.mkdir("#{ROOT}/out")
File.write("#{ROOT}/src/a.txt", "alpha\n")
File.write("#{ROOT}/src/b.txt", "beta\n")
File.write("#{ROOT}/src/lib/c.rb", "puts 1\n")
File.write("#{ROOT}/src/lib/deep/d.txt", "delta\n" * 3)
File.open("#{ROOT}/src/a.txt", "a") { |f| f.puts "more" }
File.rename("#{ROOT}/src/b.txt", "#{ROOT}/out/b2.txt")

# Look at it.
show "glob **/*.txt", rel(Dir.glob("#{ROOT}/**/*.txt").sort)
show "glob braces", Dir.glob("*.{txt,rb}", base: "#{ROOT}/src/lib")
show "children src", Dir.children("#{ROOT}/src").sort
show "entries out", Dir.entries("#{ROOT}/out").sort
show "read a.txt", File.read("#{ROOT}/src/a.txt")
show "lines d.txt", File.readlines("#{ROOT}/src/lib/deep/d.txt").size
show "size b2.txt", File.size("#{ROOT}/out/b2.txt")
show "b.txt still there", File.exist?("#{ROOT}/src/b.txt")
st = File.stat("#{ROOT}/src/a.txt")
show "stat a.txt", [st.file?, st.directory?, st.size, st.nlink]

# Links.
File.symlink("lib/deep/d.txt", "#{ROOT}/src/link")
show "readlink", File.readlink("#{ROOT}/src/link")
show "through link", [File.symlink?("#{ROOT}/src/link"), File.read("#{ROOT}/src/link").lines.first]
File.link("#{ROOT}/src/a.txt", "#{ROOT}/out/a-hard")
show "nlink after link", File.stat("#{ROOT}/out/a-hard").nlink

# Relative paths after chdir (wasi-libc keeps the cwd; the host only sees joined paths).
Dir.chdir("#{ROOT}/src") do
  show "pwd", rel([Dir.pwd])
  show "relative read", File.read("lib/deep/d.txt").bytesize
  File.write("rel.txt", "r")
end
show "rel.txt made", File.exist?("#{ROOT}/src/rel.txt")

# Seek, read, truncate on one descriptor.
File.open("#{ROOT}/out/seek.bin", "w+") do |f|
  f.write("0123456789")
  f.seek(3)
  show "read at 3", f.read(4)
  f.truncate(5)
  f.rewind
  show "after truncate", f.read
end

# A manifest of the tree, then copies, moves and removals.
File.write("#{ROOT}/out/manifest.json", JSON.pretty_generate(rel(Dir.glob("#{ROOT}/src/**/*").sort)))
FileUtils.cp_r("#{ROOT}/src/lib", "#{ROOT}/out/lib-copy")
FileUtils.mv("#{ROOT}/out/lib-copy/c.rb", "#{ROOT}/out/c-moved.rb")
FileUtils.rm_rf("#{ROOT}/src/lib/deep")
show "deep removed", !Dir.exist?("#{ROOT}/src/lib/deep")
t = Time.at(1_000_000_000, 123456789, :nsec)
File.utime(t, t, "#{ROOT}/out/b2.txt")
show "mtime", [File.mtime("#{ROOT}/out/b2.txt").to_i, File.mtime("#{ROOT}/out/b2.txt").nsec]
File.write("#{ROOT}/out/résumé.txt", "é")
show "utf-8 name", Dir.glob("#{ROOT}/out/r*").map { |p| File.basename(p) }

# A directory bigger than one fd_readdir buffer.
Dir.mkdir("#{ROOT}/many")
names = (1..600).map { |i| format("file-with-a-rather-long-name-number-%04d.dat", i) }
names.each { |n| File.write("#{ROOT}/many/#{n}", n) }
show "many children", [Dir.children("#{ROOT}/many").size, Dir.children("#{ROOT}/many").sort == names]
Dir.each_child("#{ROOT}/many").with_index { |n, i| File.delete("#{ROOT}/many/#{n}") if i.even? }
show "many after deleting half", [Dir.glob("#{ROOT}/many/*.dat").size, Dir.children("#{ROOT}/many").all? { |n| File.read("#{ROOT}/many/#{n}") == n }]

# A temp file that is gone after its block.
Tempfile.create("scratch") do |f|
  f.write("temp")
  f.flush
  show "tempfile", [File.dirname(f.path), File.basename(f.path).start_with?("scratch"), File.size(f.path)]
end

# Errors come back as the right exceptions.
[
  -> { File.read("#{ROOT}/nope") },
  -> { Dir.rmdir("#{ROOT}/out") },
  -> { Dir.mkdir("#{ROOT}/out") },
  -> { File.rename("#{ROOT}/src", "#{ROOT}/src/lib/inside") },
  -> { File.open("#{ROOT}/src/a.txt/x", "w") },
  -> { File.open("#{ROOT}/out", "w") },
].each { |op| show "error", (begin; op.call; rescue SystemCallError => e; e.class.name; end) }

# A sleep (poll_oneoff on a clock) and the monotonic clock.
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
sleep 0.02
show "slept", Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0 >= 0.015

show "directories", rel(Dir["#{ROOT}/**/"].sort)
show "partial read", IO.read("#{ROOT}/src/a.txt", 3, 2)
show "stdin", $stdin.read
