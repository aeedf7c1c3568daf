#!/bin/sh
# Runs the V8 benchmark suite v7 (../shared/bench/v8-v7, not copied here)
# with several JavaScript shells side by side and prints the best score of
# each benchmark per shell. Rounds alternate the shells, so they share the
# machine's moods; these machines vary 20-40% between runs, so compare
# shells within one run only.
#
# usage: bench/v8-suite.sh [-n ROUNDS] [-b "RegExp Splay ..."] NAME=SHELL [NAME=SHELL...]
#   e.g. bench/v8-suite.sh -n 3 sable=target/release/sable qjs=$HOME/.cache/sable-peers/bin/qjs
# Each SHELL runs as `SHELL base.js BENCH.js tail.js` from the suite's
# directory (every file a global script; no load() needed). Build QuickJS
# with ../shared/bench/peers/build-quickjs.sh.
set -eu
rounds=3
benches="Richards DeltaBlue Crypto RayTrace EarleyBoyer RegExp Splay NavierStokes"
while getopts n:b: opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    b) benches=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-n ROUNDS] [-b BENCHES] NAME=SHELL..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
suite=${SABLE_V8_SUITE:-$here/../../shared/bench/v8-v7}
[ -f "$suite/run.js" ] || { echo "no V8 suite at $suite (set SABLE_V8_SUITE)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# run.js without its load() lines: what follows them runs the suites.
sed -n '/^var success/,$p' "$suite/run.js" > "$work/tail.js"

file_of() {
  case $1 in
    Richards) echo richards.js ;; DeltaBlue) echo deltablue.js ;; Crypto) echo crypto.js ;;
    RayTrace) echo raytrace.js ;; EarleyBoyer) echo earley-boyer.js ;; RegExp) echo regexp.js ;;
    Splay) echo splay.js ;; NavierStokes) echo navier-stokes.js ;; *) echo "unknown benchmark $1" >&2; exit 2 ;;
  esac
}

for round in $(seq "$rounds"); do
  for bench in $benches; do
    for spec in "$@"; do
      name=${spec%%=*}
      shell=${spec#*=}
      case $shell in /*) ;; *) shell=$PWD/$shell ;; esac
      score=$(cd "$suite" && "$shell" base.js "$(file_of "$bench")" "$work/tail.js" 2>&1 | sed -n "s/^$bench: //p")
      echo "$bench $name ${score:-failed}" >> "$work/scores"
    done
  done
  echo "round $round done" >&2
done

printf '%-14s' benchmark
for spec in "$@"; do printf '%12s' "${spec%%=*}"; done
echo
for bench in $benches; do
  printf '%-14s' "$bench"
  for spec in "$@"; do
    name=${spec%%=*}
    best=$(awk -v b="$bench" -v n="$name" '$1 == b && $2 == n && $3 != "failed" { if ($3 > m) m = $3 } END { print m + 0 }' "$work/scores")
    printf '%12s' "$best"
  done
  echo
done
