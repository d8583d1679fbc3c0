#!/usr/bin/env bash
# The cost of -ais against the training job, in one sitting: the default job (the binary of `go run .`, with -out a
# temporary folder) and the whole -ais (metrics' BenchmarkLogLikelihood: two AIS runs with the paper's 14,501
# inverse temperatures and 100 chains each, and RAISE on 100 test images, seed 1, as -ais runs them) alternate
# several times; it prints each run, the medians, the ratio of the medians and the median of the pairwise ratios.
#
#   bench/ais.sh [--runs N] [PARAMS]
#
#   PARAMS     folder with the parameters to evaluate (W.npy, v_bias.npy, h_bias.npy), e.g. the -out folder of
#              `go run . -recipe best`, the model issue 19's target is about; default: the model the first
#              default job writes (the script's 2-epoch model)
#   --runs N   runs of each (default 5)
#
# Needs go and GNU time (/usr/bin/time). The -ais time is the benchmark's own (the call of
# metrics.EstimateLogLikelihood, without loading MNIST); the job's is the whole process's wall time, as
# bench/run.sh measures it. The estimates are printed for each run: with one seed they must not change. Timings on
# a shared machine are noisy: the load average before and after is printed.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=5 PARAMS=
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) RUNS=${2:?--runs needs a number}; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "ais.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	*) [ -z "$PARAMS" ] || { echo "ais.sh: one parameter folder only ('$PARAMS', '$1')" >&2; exit 2; }; PARAMS=$1 ;;
	esac
	shift
done
case "$RUNS" in '' | *[!0-9]* | 0) echo "ais.sh: --runs $RUNS: use a whole number ≥ 1" >&2; exit 2 ;; esac
if [ -n "$PARAMS" ]; then
	for f in W.npy v_bias.npy h_bias.npy; do
		[ -f "$PARAMS/$f" ] || { echo "ais.sh: $PARAMS has no $f: give the -out folder of a run" >&2; exit 2; }
	done
	PARAMS=$(cd "$PARAMS" && pwd)
fi
for tool in go /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "ais.sh: $tool not found (see the header of $0)" >&2; exit 1; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
go build -o "$WORK/gorbm" .
go test -c -o "$WORK/metrics.test" ./metrics

# job I: the default job, appending "job wall_s" to $WORK/results.
job() {
	local out="$WORK/job-$1"
	mkdir -p "$out"
	if ! /usr/bin/time -f '%e' -o "$WORK/time" "$WORK/gorbm" -out "$out" >"$out/log" 2>&1; then
		echo "ais.sh: default job run $1 failed:" >&2
		tail -5 "$out/log" >&2
		exit 1
	fi
	local wall
	wall=$(cat "$WORK/time")
	printf 'default job run %d: %7.2f s  | %s\n' "$1" "$wall" "$(grep -o 'epoch: [-0-9.e]*' "$out/log" | paste -sd' ' -)"
	echo "job $wall" >>"$WORK/results"
}

# ais I: BenchmarkLogLikelihood once on $PARAMS, appending "ais seconds" to $WORK/results.
ais() {
	local log="$WORK/ais-$1.log"
	if ! (cd "$ROOT/metrics" && GORBM_BENCH_PARAMS=$PARAMS "$WORK/metrics.test" -test.run '^$' \
		-test.bench '^BenchmarkLogLikelihood$' -test.benchtime 1x) >"$log" 2>&1; then
		echo "ais.sh: -ais run $1 failed:" >&2
		tail -5 "$log" >&2
		exit 1
	fi
	local line secs
	line=$(grep '^BenchmarkLogLikelihood' "$log")
	secs=$(awk '{for (i = 2; i < NF; i++) if ($(i+1) == "ns/op") printf "%.2f", $i / 1e9}' <<<"$line")
	printf -- '-ais run %d:        %7.2f s  | %s\n' "$1" "$secs" \
		"$(awk '{for (i = 2; i < NF; i++) if ($(i+1) ~ /^(logZ|test_log_p|RAISE)$/) printf "%s %s  ", $(i+1), $i}' <<<"$line")"
	echo "ais $secs" >>"$WORK/results"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') · $(nproc) cores · go $(go env GOVERSION)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/results"
for i in $(seq 1 "$RUNS"); do
	job "$i"
	if [ -z "$PARAMS" ]; then
		PARAMS=$WORK/job-1
		echo "# evaluating the first default job's model, $PARAMS (issue 19's target is about -recipe best's)"
	fi
	ais "$i"
done
echo "# load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v k="$1" '$1==k{print $2}' "$WORK/results"; }
job_med=$(col job | median) ais_med=$(col ais | median)
pairs=$(paste <(col ais) <(col job) | awk '{printf "%.2f\n", $1/$2}')
echo
echo "| | runs | median (s) |"
echo "|---|---:|---:|"
printf '| default job (whole process) | %d | %.2f |\n' "$RUNS" "$job_med"
printf '| -ais (EstimateLogLikelihood) | %d | %.2f |\n' "$RUNS" "$ais_med"
printf '\n-ais / default job: %.2f× (ratio of the medians); pairwise ratios %s, median %.2f×\n' \
	"$(echo "$ais_med $job_med" | awk '{print $1/$2}')" "$(paste -sd' ' <<<"$pairs")" "$(median <<<"$pairs")"
