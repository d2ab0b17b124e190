#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The tool's command line, as a script would use it:
#   - `sysdma help`, `sysdma help COMMAND` and `COMMAND --help` print the same help, exit 0;
#   - numbers are parsed strictly and every usage error is one line on stderr in one style
#     ("sysdma CMD: --OPTION: ... (see 'sysdma help CMD')"), nothing on stdout, exit 2;
#   - a file that cannot be written (a missing folder, a folder that is a regular file,
#     /dev/full, /proc) fails with exit 1 and a message naming it, and never with
#     "all checks passed"; files that can be opened early fail before the run; so does
#     a report that cannot be written to stdout;
#   - the VCD holds only changes (no line set again to the value it has), --trace-window keeps a span, --trace-limit stops it
#     (with a warning before and after) and it stays a valid VCD;
#   - packet-demo's report: "1 byte", no stray spaces, no empty headers under --quiet,
#     the adapter's figures match the pieces it maps;
#   - the WAV holds exactly the seconds asked for; the timeline's pool plot has a y scale.
# Runs as root too: unwritable places are made without permissions.
# usage: cli.sh SYSDMA_TOOL DEMO_CHECK WORK_DIR
set -uo pipefail
tool=$1
check=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
bad=0
fail() { echo "FAIL: $*"; bad=1; }

# ---- help ---------------------------------------------------------------------------------------
"$tool" help >help.txt 2>&1 || fail "sysdma help exited $?"
commands=$(awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}' help.txt |
  grep -v '^help$')
[ "$(wc -w <<<"$commands")" -ge 6 ] || fail "sysdma help lists: $commands"
for c in $commands; do
  "$tool" help "$c" >h1.txt 2>&1 || fail "sysdma help $c exited $?"
  "$tool" "$c" --help >h2.txt 2>&1 || fail "sysdma $c --help exited $?"
  "$tool" "$c" -h >h3.txt 2>&1 || fail "sysdma $c -h exited $?"
  grep -q "^usage: sysdma $c" h1.txt || fail "sysdma help $c: no usage line"
  cmp -s h1.txt h2.txt && cmp -s h1.txt h3.txt || fail "sysdma help $c and $c --help differ"
done
"$tool" --help | cmp -s - help.txt || fail "sysdma --help differs from sysdma help"
expect_usage() { # expect_usage CMD OPTION_OR_EMPTY ARGS...: exit 2, one line, stdout empty
  local cmd=$1 opt=$2
  shift 2
  "$tool" "$@" >u.out 2>u.err
  local rc=$?
  local what="sysdma $*"
  [ "$rc" = 2 ] || fail "'$what' exited $rc, want 2"
  [ -s u.out ] && fail "'$what' printed on stdout: $(head -c 200 u.out)"
  [ "$(wc -l <u.err)" = 1 ] || fail "'$what' printed $(wc -l <u.err) lines on stderr"
  local want="^sysdma $cmd: "
  [ -n "$opt" ] && want="$want$opt: "
  grep -Eq -- "$want.* \\(see 'sysdma help( $cmd)?'\\)\$" u.err ||
    fail "'$what' said: $(cat u.err) (want $want... (see 'sysdma help $cmd'))"
}
expect_usage help "" help nosuchcommand
"$tool" >/dev/null 2>&1
[ $? = 2 ] || fail "sysdma with no command should exit 2"
"$tool" nosuchcommand 2>u.err
[ $? = 2 ] && grep -q "unknown command 'nosuchcommand' (see 'sysdma help')" u.err ||
  fail "unknown command: $(cat u.err)"

# ---- strict numbers, one usage-error style ------------------------------------------------------
expect_usage packet-demo --bytes packet-demo --bytes 12abc
expect_usage packet-demo --bytes packet-demo --bytes ''
expect_usage packet-demo --bytes packet-demo --bytes=
expect_usage packet-demo --bytes packet-demo --bytes -5
expect_usage packet-demo --bytes packet-demo --bytes ' 12'
expect_usage packet-demo --bytes packet-demo --bytes 0
expect_usage packet-demo --bytes packet-demo --bytes 16777217
expect_usage packet-demo --bytes packet-demo --bytes 18446744073709551617
expect_usage packet-demo --bytes packet-demo --bytes --quiet
expect_usage packet-demo --bytes packet-demo --bytes
expect_usage packet-demo --bytes packet-demo --channel 5 --bytes 7
expect_usage packet-demo --channel packet-demo --channel 2x
expect_usage packet-demo --channel packet-demo --channel 4
expect_usage packet-demo --channel packet-demo --channel 8
expect_usage packet-demo --placement packet-demo --placement nowhere
expect_usage packet-demo --trace packet-demo --trace --quiet
expect_usage packet-demo --trace-window packet-demo --trace-window 5
expect_usage packet-demo --trace-window packet-demo --trace-window 5:2
expect_usage packet-demo --quiet packet-demo --quiet=yes
expect_usage packet-demo "" packet-demo --bogus
expect_usage packet-demo "" packet-demo stray
expect_usage demo --seed demo --seed -1
expect_usage demo --seed demo --seed 4294967296
expect_usage demo --seed demo --seed 0x
expect_usage demo --seed demo --seed
expect_usage demo --seconds demo --seconds 1e1
expect_usage demo --seconds demo --seconds nan
expect_usage demo --seconds demo --seconds 0.01
expect_usage demo --seconds demo --seconds 1.2.3
expect_usage demo --sectors demo --sectors 721
expect_usage demo --sb16-bits demo --sb16-bits 12
expect_usage demo --wav demo --wav --trace
expect_usage demo --trace-limit demo --trace-limit 1M
expect_usage emu-demo "" emu-demo --bogus
expect_usage emu-probe "" emu-probe extra
expect_usage emu-probe-fdc "" emu-probe-fdc
expect_usage emu-probe-pl080 "" emu-probe-pl080 extra
# The PL080 probe on the emulated PL080 (tests/qemu/probe-pl080.sh compares it with QEMU's): its
# single-item transfer moved the source's bytes, and it ran to its end.
"$tool" emu-probe-pl080 >p.txt 2>&1 || fail "emu-probe-pl080: $(cat p.txt)"
[ "$(sed -n 's/^single.dst-digest: //p' p.txt)" = "$(sed -n 's/^single.src-digest: //p' p.txt)" ] ||
  fail "emu-probe-pl080: the single transfer did not copy its source"
[ "$(tail -n 1 p.txt)" = done ] || fail "emu-probe-pl080 did not finish"
expect_usage bench --dir bench --dir
# Good forms: --opt=value, hex, and "--" before a name that starts with '-'.
"$tool" packet-demo --quiet --bytes=0x100 --channel 1 >o.txt 2>&1 || fail "--bytes=0x100: $(cat o.txt)"
grep -q "buffer: 256 bytes" o.txt || fail "--bytes=0x100 is not 256 bytes"

# ---- files that cannot be written ---------------------------------------------------------------
touch plain # a regular file: nothing can be made under it, even by root
expect_fail() { # expect_fail WHEN FILE ARGS...: exit 1, FILE named on stderr, no success
  local when=$1 file=$2
  shift 2
  "$tool" "$@" >f.out 2>f.err
  local rc=$?
  [ "$rc" = 1 ] || fail "'sysdma $*' exited $rc, want 1"
  grep -qF "$file" f.err || fail "'sysdma $*': stderr does not name $file: $(cat f.err)"
  grep -q "all checks passed" f.out && fail "'sysdma $*' reported success"
  if [ "$when" = before ] && [ -s f.out ]; then
    fail "'sysdma $*' ran before failing: $(head -c 300 f.out)"
  fi
}
d="demo --seconds 0.1 --image i.img --wav w.wav"
# shellcheck disable=SC2086
{
  expect_fail before /nonexistent/x.wav $d --wav /nonexistent/x.wav
  expect_fail before plain/x.wav $d --wav plain/x.wav
  expect_fail before /dev/full $d --wav /dev/full
  expect_fail before /dev/full $d --trace /dev/full
  expect_fail before /proc/version $d --trace /proc/version
  expect_fail before plain/t.svg $d --timeline plain/t.svg
  expect_fail before /proc/nosuchdir/t.svg $d --timeline /proc/nosuchdir/t.svg
  expect_fail before /dev/full $d --image /dev/full
  expect_fail before plain/i.img $d --image plain/i.img
  expect_fail after /dev/full $d --timeline /dev/full # drawn at the end: fails there
  expect_fail before /dev/full packet-demo --quiet --trace /dev/full
  expect_fail before plain/t.vcd packet-demo --quiet --trace plain/t.vcd
}
# The report itself is output: stdout that cannot be written fails too.
for args in "packet-demo --quiet" "help" "demo --seconds 0.1 --image i.img --wav w.wav"; do
  # shellcheck disable=SC2086
  "$tool" $args >/dev/full 2>f.err
  rc=$?
  [ "$rc" = 1 ] || fail "'sysdma $args >/dev/full' exited $rc, want 1"
  grep -q "writing standard output failed" f.err || fail "'sysdma $args >/dev/full': $(cat f.err)"
done
"$tool" demo --seconds 0.1 --image i.img --wav w.wav --timeline /dev/full >f.out 2>/dev/null
tail -n 1 f.out | grep -qx FAILED || fail "a failed timeline write does not end in FAILED"

# ---- the trace: only changes, a window, a limit -------------------------------------------------
vcd_check() { # vcd_check FILE FROM_NS TO_NS: valid, times rising within [FROM, TO+1], changes only
  awk -v from="$2" -v to="$3" '
    /^\$var/ { n++; next }
    /^\$enddefinitions/ { defs = 1; next }
    !defs || /^\$/ { next }
    /^#/ { t = substr($0, 2) + 0
           if (seen_t && t <= last) { print "time " t " after " last; exit 1 }
           if (t < from || t > to + 1) { print "time " t " outside the window"; exit 1 }
           last = t; seen_t = 1; next }
    { if (/^b/) { v = $1; id = $2 } else { v = substr($0, 1, 1); id = substr($0, 2) }
      if (!/^b/ && dumped && (id in val) && val[id] == v) { print "id " id " set again to " v " at " t; exit 1 }
      val[id] = v }
    /^\$end$/ { dumped = 1 }
    END { if (!defs || n != 35) { print "header: " n " vars"; exit 1 }
          if (!seen_t) { print "no times"; exit 1 } }' "$1"
}
# shellcheck disable=SC2086
"$tool" $d --trace full.vcd --trace-limit 0 >o.txt 2>e.txt || fail "demo --trace: $(cat e.txt)"
vcd_check full.vcd 0 1000000000000 || fail "full.vcd"
[ -s e.txt ] && fail "an unlimited trace warned: $(cat e.txt)"
# shellcheck disable=SC2086
"$tool" $d --trace win.vcd --trace-window 20:30 >o.txt 2>e.txt || fail "demo --trace-window: $(cat e.txt)"
vcd_check win.vcd 20000000 30000000 || fail "win.vcd"
grep -qx '#20000000' win.vcd || fail "win.vcd does not start at 20 ms"
[ "$(stat -c %s win.vcd)" -lt "$(stat -c %s full.vcd)" ] || fail "the window is not smaller"
# shellcheck disable=SC2086
"$tool" demo --seconds 0.4 --image i.img --wav w.wav --trace cut.vcd --trace-limit 1 >o.txt 2>e.txt ||
  fail "demo --trace-limit: $(cat e.txt)"
vcd_check cut.vcd 0 1000000000000 || fail "cut.vcd"
size=$(stat -c %s cut.vcd)
[ "$size" -ge 1048576 ] && [ "$size" -lt 1100000 ] || fail "cut.vcd is $size bytes for a 1 MiB limit"
grep -q "would be about .* MiB; it stops at 1 MiB" e.txt || fail "no warning before the trace: $(cat e.txt)"
grep -q "warning: the trace stops at .* ms" e.txt || fail "no warning after the trace"
grep -q "trace: cut.vcd (stopped at .* ms: --trace-limit 1 MiB reached)" o.txt || fail "report: no cut"
grep -q "all checks passed" o.txt || fail "a trace cut at its limit failed the run"

# ---- packet-demo's report -----------------------------------------------------------------------
for args in "--bytes 1" "--bytes 1 --quiet" "--bytes 200000 --channel 5 --placement scattered" \
  "--bytes 100000 --channel 1 --placement low --quiet" "--bytes 70000 --channel 6 --placement straddle128k"; do
  # shellcheck disable=SC2086
  "$tool" packet-demo $args >p.txt 2>p.err || fail "packet-demo $args: $(cat p.err)"
  grep -Eq '(^| )1 bytes' p.txt && fail "packet-demo $args: '1 bytes'"
  grep -nE ' $|[^ ]  +[^ ]| ,' p.txt && fail "packet-demo $args: stray spaces"
  regs=$(sed -nE 's/.*adapter: ([0-9]+) map registers of 4096 bytes,$/\1/p' p.txt)
  most=$(sed -nE 's/^so at most ([0-9]+) bytes per MapTransfer$/\1/p' p.txt)
  [ -n "$regs" ] && [ -n "$most" ] || { fail "packet-demo $args: no adapter figures"; continue; }
  ch=$(sed -nE 's/.*test device on channel ([0-9]).*/\1/p' p.txt)
  window=$([ "$ch" -ge 4 ] && echo 131072 || echo 65536)
  want=$((regs * 4096 < window ? regs * 4096 : window))
  [ "$most" = "$want" ] || fail "packet-demo $args: at most $most bytes, the adapter gives $want"
  grep -q "AllocateAdapterChannel($regs map registers)" p.txt || grep -q -- --quiet <<<"$args" ||
    fail "packet-demo $args: AllocateAdapterChannel asks for other than $regs"
  awk -v most="$most" '/piece of/ { if ($3 + 0 > most + 0) { print "piece " $3; exit 1 } }' p.txt ||
    fail "packet-demo $args: a piece beyond $most bytes"
  if grep -q -- --quiet <<<"$args"; then
    grep -Eq '^(write: memory -> device|read: device -> memory)$' p.txt && fail "packet-demo $args: an empty header"
    [ "$(grep -cE '^(write: memory -> device|read: device -> memory): [0-9]+ pieces? \([0-9]+ bounced\)$' p.txt)" = 2 ] ||
      fail "packet-demo $args: no pass lines"
    grep -q "piece of" p.txt && fail "packet-demo $args: pieces under --quiet"
  fi
  tail -n 1 p.txt | grep -qx "all checks passed" || fail "packet-demo $args: no verdict"
done

# ---- the WAV is as long as asked; the pool plot has a y scale -----------------------------------
for s in 0.15 0.3; do
  "$tool" demo --seconds $s --image i.img --wav w.wav --sb16-bits 8 --timeline t.svg >o.txt 2>&1 ||
    fail "demo --seconds $s: $(cat o.txt)"
  "$check" wavlen w.wav $s 8 || fail "the WAV of --seconds $s"
done
xmllint --noout t.svg || fail "t.svg"
pool=$(sed -nE 's/.*>pool ([0-9]+), most [0-9]+<.*/\1/p' t.svg)
ticks=$(grep -o '<text class="tick"[^>]*>[0-9]*<' t.svg | sed -E 's/.*>([0-9]+)<$/\1/' | paste -sd' ')
[ "${ticks%% *}" = 0 ] && [ "${ticks##* }" = "$pool" ] || fail "pool axis ticks '$ticks', pool $pool"

# ---- placement scattered-high: every page out of ISA reach, so every byte bounces --------------
"$tool" packet-demo --placement scattered-high --bytes 200000 >o.txt 2>&1 ||
  fail "packet-demo --placement scattered-high: $(cat o.txt)"
grep -q 'scattered-high placement' o.txt || fail "packet-demo: placement not named"
grep -q 'bytes bounced 400000' o.txt || fail "packet-demo scattered-high: not every byte bounced"
"$tool" demo --placement scattered-high --seconds 0.1 --image i.img --wav w.wav >o.txt 2>&1 ||
  fail "demo --placement scattered-high: $(cat o.txt)"
grep -q '(scattered high pages)' o.txt || fail "demo: placement not named"

if [ "$bad" -ne 0 ]; then exit 1; fi
echo "cli: help, usage errors, failed writes, trace window and limit, packet-demo report, WAV length, pool axis: ok"
