# The pjdfstest runner's shell side: bash sources this (BASH_ENV) before one .t file.
#
# It starts the fsop server (../shared/docs/fsop-protocol.md) as a coprocess and routes to
# it everything the test does to files: pjdfstest's `${fstest}` calls, and the shell
# commands of misc.sh and the .t files that touch files (the SHIMS table below). The
# shell's own working directory is an empty scratch directory; the test's working
# directory is the server's, tracked here for `pwd`. Commands that do not touch files run
# on the host, except a few in the hot path that the shell answers itself (host tools).
#
# Environment (set by run-file.ts):
#   FSOP_SERVER   the server command (a shell command line)
#   FSOP_LOG      file that receives the server's stderr
#   FSOP_TRACE    file that receives one line per assertion's request (see fsop_trace)
#   FSOP_TIMEOUT  seconds to wait for a response before the server counts as stuck
#
# $0 is <farm>/<feature>/NN.t: misc.sh finds its conf and `pjdfstest` program beside it,
# and runs `${fstest}` = <farm>/<feature>/pjdfstest. A shell function of exactly that name
# (bash allows '/' in function names and looks functions up first) answers those calls,
# so no process is started per call.

unset BASH_ENV # the server's shell, and any other bash started from here, must not source this
umask 022      # a root shell's usual umask; shims send it with their requests
FSOP_UMASK=0022

# ---- the connection -------------------------------------------------------------------------

exec {FSOP_TRACE_FD}>>"$FSOP_TRACE"
coproc FSOP_PROC { exec bash -c "$FSOP_SERVER" 2>>"$FSOP_LOG"; }
# Plain descriptors: bash hides a coprocess's own descriptors from pipeline subshells,
# and misc.sh calls `${fstest} ... | tail -1`.
exec {FSOP_TO}>&"${FSOP_PROC[1]}" {FSOP_FROM}<&"${FSOP_PROC[0]}"
# Set once the server fails to answer; later requests are not sent (a file, since most
# requests run in subshells).
FSOP_STUCK="$FSOP_TRACE.stuck"

# fsop_trace TAG FIELDS...: one tab-separated line of the trace.
fsop_trace() {
  local IFS=$'\t'
  printf '%s\n' "$*" >&"$FSOP_TRACE_FD"
}

# fsop_escape_controls: the control characters left in fsop_send's `w` as JSON \u escapes.
fsop_escape_controls() {
  local out= c i
  for ((i = 0; i < ${#w}; i++)); do
    c=${w:i:1}
    if [[ $c == [$'\001'-$'\037'] ]]; then printf -v c '\\u%04x' "'$c"; fi
    out+=$c
  done
  w=$out
}

# fsop_send WORD...: sends one request and sets FSOP_REPLY to its response line.
# Returns 1 (and sets FSOP_REPLY empty) if the server is stuck or gone.
fsop_send() {
  FSOP_REPLY=
  [[ -e $FSOP_STUCK ]] && return 1
  local json= w
  for w; do
    w=${w//\\/\\\\}; w=${w//\"/\\\"}
    w=${w//$'\n'/\\n}; w=${w//$'\t'/\\t}; w=${w//$'\r'/\\r}
    [[ $w == *[$'\001'-$'\037']* ]] && fsop_escape_controls
    json+=,\"$w\"
  done
  # A server that has gone must not kill the shell with SIGPIPE: its absence shows below.
  trap '' PIPE
  printf '[%s]\n' "${json#,}" 2>/dev/null >&"$FSOP_TO"
  trap - PIPE
  if ! IFS= read -r -t "$FSOP_TIMEOUT" -u "$FSOP_FROM" FSOP_REPLY; then
    FSOP_REPLY=
    : >"$FSOP_STUCK"
    fsop_trace stuck "[${json#,}]"
    echo "pjdfstest runner: the fsop server gave no response to [${json#,}] (stuck or gone)" >&2
    return 1
  fi
}

# fsop WORD...: one request through the scratch-directory check; sets FSOP_REPLY.
fsop() {
  fsop_adopt_redirections
  fsop_send "$@"
}

# The `${fstest}` program: one request, its response on stdout. misc.sh's expect() is the
# only caller that asserts; its requests are traced with the assertion number and pattern.
fsop_fstest() {
  fsop "$@"
  [[ ${FUNCNAME[2]} == expect ]] && fsop_trace expect "$ntest" "$e" "$*" "$FSOP_REPLY"
  printf '%s\n' "$FSOP_REPLY"
}
eval "function ${0%/*}/pjdfstest { fsop_fstest \"\$@\"; }"

# misc.sh's quick_exit prints `1..1` and `ok 1` for a file that does not apply to this
# system (FreeBSD only, a file system feature Linux lacks): traced, so that the runner counts
# the file as not applicable rather than as one passed assertion.
fsop_on_exit() {
  [[ ${FUNCNAME[1]} == quick_exit ]] && fsop_trace not-applicable
}
trap fsop_on_exit EXIT

if ! fsop_send reset || [[ $FSOP_REPLY != 0 ]]; then
  echo "Bail out! the fsop server answered '$FSOP_REPLY' to reset"
  exit 1
fi

# ---- paths ----------------------------------------------------------------------------------

# The test's working directory in the server, as `cd` made it (logically, as bash does).
FSOP_CWD=/

# fsop_abspath PATH: sets FSOP_PATH to PATH made absolute against FSOP_CWD, with `.`, `..`
# and repeated slashes folded away as bash's logical `cd` folds them.
fsop_abspath() {
  local - p=$1 part out= IFS=/
  set -f
  [[ $p == /* ]] || p=$FSOP_CWD/$p
  for part in $p; do
    case $part in
      '' | .) ;;
      ..) out=${out%/*} ;;
      *) out+=/$part ;;
    esac
  done
  FSOP_PATH=${out:-/}
}

# ---- output redirections ----------------------------------------------------------------------

# The shell's working directory is the empty scratch directory, so `echo x > name` makes
# a host file there. Before each request such files move into the server, at the same
# relative name (the server's working directory has not changed since: `cd` is a request),
# created as the shell creates them (O_WRONLY|O_CREAT|O_TRUNC, 0666 under the umask).
# Only text survives (a request is text; a NUL would end it); `>>` is not told apart from `>`.
fsop_adopt_redirections() {
  local f data
  for f in ./* ./.[!.]*; do
    [[ -f $f ]] || continue
    IFS= read -r -d '' data <"$f"
    command rm -f -- "$f"
    fsop_send -U "$FSOP_UMASK" open "${f#./}" O_WRONLY,O_CREAT,O_TRUNC 0666 : write 0 "$data"
  done
}

# ---- the shell commands that touch files ------------------------------------------------------

# fsop_fail COMMAND PATH: reports a failed request as the command would, and returns 1.
fsop_fail() {
  echo "$1: $2: ${FSOP_REPLY:-no response}" >&2
  return 1
}

shim_cd() {
  [[ $# == 1 ]] || { shim_untranslated cd "$@"; return; }
  fsop cd "$1" && [[ $FSOP_REPLY == 0 ]] || { fsop_fail cd "$1"; return; }
  fsop_abspath "$1"
  FSOP_CWD=$FSOP_PATH
}

shim_pwd() {
  printf '%s\n' "$FSOP_CWD"
}

# Directories made by `mkdir` here (absolute), so that `rm -r` can remove them: the
# protocol has no readdir, so `rm -r` knows no other contents.
FSOP_MADE=()

# fsop_prefixes PATH: sets FSOP_PREFIXES to PATH's ancestors and PATH (a, a/b, a/b/c).
fsop_prefixes() {
  local - IFS=/ part prefix=
  set -f
  [[ $1 == /* ]] && prefix=/
  FSOP_PREFIXES=()
  for part in $1; do
    [[ -n $part ]] && { prefix+=$part; FSOP_PREFIXES+=("$prefix"); prefix+=/; }
  done
}

# mkdir [-p] PATH...: mode 0777 under the umask, like mkdir(1); with -p, every missing
# ancestor too (GNU mkdir adds u+wx to theirs, which umask 022 leaves anyway), and an
# existing directory is no error.
shim_mkdir() {
  local parents= p dir
  [[ $1 == -p ]] && { parents=1; shift; }
  for p; do
    [[ $p == -* ]] && { shim_untranslated mkdir "$@"; return; }
    if [[ -n $parents ]]; then fsop_prefixes "$p"; else FSOP_PREFIXES=("$p"); fi
    for dir in "${FSOP_PREFIXES[@]}"; do
      fsop -U "$FSOP_UMASK" mkdir "$dir" 0777
      if [[ $FSOP_REPLY == 0 ]]; then
        fsop_abspath "$dir"; FSOP_MADE+=("$FSOP_PATH")
      elif [[ -n $parents && $FSOP_REPLY == EEXIST ]]; then
        fsop stat "$dir" type && [[ $FSOP_REPLY == dir ]] || { FSOP_REPLY=EEXIST; fsop_fail mkdir "$dir"; return; }
      else
        fsop_fail mkdir "$dir"; return
      fi
    done
  done
}

# rm [-r] [-f] PATH...: unlink, or with -r, the directories this shell made under PATH
# (deepest first) and then PATH itself.
shim_rm() {
  local recursive= force= p d i
  while [[ $1 == -* ]]; do
    case $1 in
      -r | -R) recursive=1 ;; -f) force=1 ;; -rf | -fr | -Rf | -fR) recursive=1 force=1 ;;
      *) shim_untranslated rm "$@"; return ;;
    esac
    shift
  done
  for p; do
    fsop lstat "$p" type
    if [[ $FSOP_REPLY == ENOENT && -n $force ]]; then continue
    elif [[ $FSOP_REPLY != dir ]]; then fsop unlink "$p"
    elif [[ -z $recursive ]]; then FSOP_REPLY=EISDIR
    else
      fsop_abspath "$p"; d=$FSOP_PATH
      for ((i = ${#FSOP_MADE[@]} - 1; i >= 0; i--)); do
        [[ ${FSOP_MADE[i]} == "$d"/* ]] && fsop rmdir "${FSOP_MADE[i]}"
      done
      fsop rmdir "$p"
    fi
    [[ $FSOP_REPLY == 0 ]] || { fsop_fail rm "$p"; return; }
  done
}

# ln [-s] TARGET NAME: symlink(2) or link(2) (which, as GNU ln, does not follow TARGET).
shim_ln() {
  local call=link
  [[ $1 == -s ]] && { call=symlink; shift; }
  [[ $# == 2 && $1 != -* ]] || { shim_untranslated ln "$@"; return; }
  fsop "$call" "$1" "$2" && [[ $FSOP_REPLY == 0 ]] || fsop_fail ln "$2"
}

# touch PATH...: created as touch(1) creates (0666 under the umask), times set to now.
shim_touch() {
  local p
  for p; do
    [[ $p == -* ]] && { shim_untranslated touch "$@"; return; }
    fsop -U "$FSOP_UMASK" open "$p" O_WRONLY,O_CREAT,O_NONBLOCK,O_NOCTTY 0666 && [[ $FSOP_REPLY == 0 ]] &&
      fsop utimensat AT_FDCWD "$p" 0 UTIME_NOW 0 UTIME_NOW 0 && [[ $FSOP_REPLY == 0 ]] || { fsop_fail touch "$p"; return; }
  done
}

# mkfifo PATH...: mode 0666 under the umask.
shim_mkfifo() {
  local p
  for p; do
    [[ $p == -* ]] && { shim_untranslated mkfifo "$@"; return; }
    fsop -U "$FSOP_UMASK" mkfifo "$p" 0666 && [[ $FSOP_REPLY == 0 ]] || { fsop_fail mkfifo "$p"; return; }
  done
}

# The 256 byte values mapped onto 64 printable ones (see shim_dd).
FSOP_PRINTABLE='A-Za-z0-9+/A-Za-z0-9+/A-Za-z0-9+/A-Za-z0-9+/'

# dd if=HOSTFILE of=PATH bs=N count=N: writes bs*count bytes read from the host file into
# PATH (created or truncated, 0666 under the umask). A request carries text, so each byte
# is mapped to a printable one: the size and offsets are dd's, the bytes are not.
# Without of=, dd only reads the host (misc.sh's name generator) and runs as it is.
shim_dd() {
  local arg if= of= bs=512 count=
  for arg; do
    case $arg in
      if=*) if=${arg#if=} ;; of=*) of=${arg#of=} ;; bs=*) bs=${arg#bs=} ;; count=*) count=${arg#count=} ;;
      *) shim_untranslated dd "$@"; return ;;
    esac
  done
  [[ -z $of ]] && { command dd "$@"; return; }
  [[ -n $if && -n $count ]] || { shim_untranslated dd "$@"; return; }
  local data
  data=$(command dd if="$if" bs="$bs" count="$count" 2>/dev/null | LC_ALL=C tr '\000-\377' "$FSOP_PRINTABLE")
  fsop -U "$FSOP_UMASK" open "$of" O_WRONLY,O_CREAT,O_TRUNC 0666 : write 0 "$data" && [[ $FSOP_REPLY == 0 ]] ||
    fsop_fail dd "$of"
}

# df -PT .: the file system under test is the IMFS, which behaves as Linux's tmpfs (conf
# reads the type from the last line, second column).
shim_df() {
  printf '%s\n' 'Filesystem Type 1024-blocks Used Available Capacity Mounted on' 'imfs tmpfs 0 0 0 0% /'
}

# uname: the server's system calls are Linux's.
shim_uname() {
  if [[ $# == 0 || $* == -s ]]; then echo Linux; else command uname "$@"; fi
}

# id -u / id -g: requests run as uid 0, gid 0 unless they say otherwise; other users are
# looked up on the host (utimensat's tests ask for nobody).
shim_id() {
  if [[ $# == 1 && ($1 == -u || $1 == -g) ]]; then echo 0; else command id "$@"; fi
}

# ---- host tools, answered in the shell -----------------------------------------------------------
# Every assertion runs `r=\`... | tail -1\`` and `echo "$r" | grep -Eq "^$e$"`, every name
# `dd if=/dev/urandom ... | openssl md5 | awk '{print $NF}'`: some forty thousand
# processes in a run. These forms are answered in the shell (the others run the real
# programs), and `lastpipe` runs the last command of a pipeline in the shell itself, so an
# assertion costs three forks and no exec.
shopt -s lastpipe

shim_tail() {
  [[ $# == 1 && $1 == -1 ]] || { command tail "$@"; return; }
  local line last= any=
  while IFS= read -r line || [[ -n $line ]]; do last=$line any=1; done
  [[ -n $any ]] && printf '%s\n' "$last"
}

# grep -Eq PATTERN: bash's =~ is glibc's POSIX extended regular expressions, as grep -E.
shim_grep() {
  [[ $# == 2 && $1 == -Eq ]] || { command grep "$@"; return; }
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ $2 ]] && return 0
  done
  return 1
}

# openssl md5: misc.sh hashes random bytes only to get 32 random hex digits; these come
# from bash's SRANDOM (the kernel's getrandom), and the input is left unread.
shim_openssl() {
  [[ $# == 1 && $1 == md5 ]] || { command openssl "$@"; return; }
  printf 'MD5(stdin)= %08x%08x%08x%08x\n' "$SRANDOM" "$SRANDOM" "$SRANDOM" "$SRANDOM"
}

# awk '{print $NF}': the last field of each line.
shim_awk() {
  [[ $# == 1 && $1 == '{print $NF}' ]] || { command awk "$@"; return; }
  local -a fields
  while read -r -a fields || [[ ${#fields[@]} -gt 0 ]]; do
    printf '%s\n' "${fields[-1]-}"
    fields=()
  done
}

# sleep N: the suite sleeps so that timestamps taken after differ, in whole seconds, from
# those taken before (`test_check $ctime1 -lt $ctime2`). The server stamps with the host's
# real-time clock, so waking 50 ms into the N-th next second guarantees exactly that, and
# waits half as long on average as `sleep 1`. Other arguments go to the real sleep.
shim_sleep() {
  [[ $# == 1 && $1 =~ ^[0-9]+$ ]] || { command sleep "$@"; return; }
  local now=${EPOCHREALTIME/[.,]/}
  local wake=$(( (now / 1000000 + $1) * 1000000 + 50000 ))
  printf -v now '%d.%06d' $(( (wake - now) / 1000000 )) $(( (wake - now) % 1000000 ))
  command sleep "$now"
}

# A command that would touch host files and has no translation: loud, and traced so that
# the runner fails the file.
shim_untranslated() {
  fsop_trace untranslated "$*"
  echo "pjdfstest runner: '$*' touches files and has no translation to fsop requests" >&2
  return 1
}

# Command name → its shim. Every command that misc.sh or a .t file runs on files is here
# (translated, or refused loudly), with the host tools answered in the shell.
declare -A SHIMS=(
  [cd]=shim_cd [pwd]=shim_pwd [mkdir]=shim_mkdir [rm]=shim_rm [ln]=shim_ln [touch]=shim_touch
  [mkfifo]=shim_mkfifo [dd]=shim_dd [df]=shim_df [uname]=shim_uname [id]=shim_id
  [tail]=shim_tail [grep]=shim_grep [openssl]=shim_openssl [awk]=shim_awk [sleep]=shim_sleep
)
for FSOP_CMD in cp mv chmod chown chgrp chflags truncate stat ls cat mount umount newfs mdconfig jail; do
  SHIMS[$FSOP_CMD]="shim_untranslated $FSOP_CMD"
done
for FSOP_CMD in "${!SHIMS[@]}"; do
  eval "$FSOP_CMD() { ${SHIMS[$FSOP_CMD]} \"\$@\"; }"
done
unset FSOP_CMD
