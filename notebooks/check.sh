#!/usr/bin/env bash
# check.sh — execute every notebooks/*.ipynb headless with the gophernotes
# kernel built by setup.sh; fail if a cell errors or if a notebook that should
# draw a picture has no image/png output. Prints one summary line per notebook.
#
#   notebooks/check.sh            executed copies go to notebooks/.kernel/out/
#   notebooks/check.sh --inplace  save the outputs into the notebooks themselves
#   notebooks/check.sh [--inplace] 01_boltzmann_basics.ipynb ...   only these
#
# Notebooks listed in NO_IMAGE_EXPECTED below are exempt from the image check.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kdir="$here/.kernel"
NO_IMAGE_EXPECTED=() # basenames of notebooks that draw no picture

inplace=0
names=()
for arg in "$@"; do
	case "$arg" in
	--inplace) inplace=1 ;;
	-h | --help) sed -n '2,11p' "$0"; exit 0 ;;
	*) names+=("$(basename "$arg")") ;;
	esac
done
if ((${#names[@]} == 0)); then
	for f in "$here"/*.ipynb; do
		[[ -e "$f" ]] && names+=("$(basename "$f")")
	done
fi
if ((${#names[@]} == 0)); then
	echo "check.sh: no notebooks in $here" >&2
	exit 1
fi
[[ -x "$kdir/bin/gophernotes" && -f "$kdir/jupyter/kernels/gophernotes/kernel.json" ]] ||
	{ echo "check.sh: kernel missing; run notebooks/setup.sh first" >&2; exit 1; }

export JUPYTER_PATH="$kdir/jupyter"
export GOTOOLCHAIN=local
out="$kdir/out"
mkdir -p "$out"

failed=0
summary=()
for name in "${names[@]}"; do
	nb="$here/$name"
	executed="$out/$name"
	start=$SECONDS
	status="ok"
	reason=""
	# nbconvert runs the kernel with the notebook's folder as working
	# directory, so relative imports ("../boltzmann") resolve from notebooks/.
	if ! /usr/bin/python3 -m nbconvert --to notebook --execute \
		--ExecutePreprocessor.timeout=1800 \
		--ExecutePreprocessor.kernel_name=gophernotes \
		--output-dir "$out" --output "$name" "$nb" >"$out/$name.log" 2>&1; then
		status="FAILED"
		reason=" — a cell failed; see $out/$name.log"
		tail -n 30 "$out/$name.log" >&2
	fi
	counts=""
	if [[ -f "$executed" && $status == ok ]]; then
		want_image=1
		for x in "${NO_IMAGE_EXPECTED[@]+"${NO_IMAGE_EXPECTED[@]}"}"; do
			[[ $x == "$name" ]] && want_image=0
		done
		# Count code cells, error outputs and image/png outputs in the executed JSON.
		counts="$(/usr/bin/python3 - "$executed" "$want_image" <<'EOF'
import json, sys
nb = json.load(open(sys.argv[1]))
want_image = sys.argv[2] == "1"
cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
outs = [o for c in cells for o in c.get("outputs", [])]
errors = sum(o.get("output_type") == "error" for o in outs)
images = sum("image/png" in o.get("data", {}) for o in outs)
print(f"{len(cells)} code cells, {images} image/png, {errors} errors")
if errors or (want_image and images == 0):
    sys.exit(1)
EOF
		)" || { status="FAILED"; reason=" — expected an image/png output and no errors"; }
	fi
	if [[ $status == ok && $inplace == 1 ]]; then
		cp "$executed" "$nb"
	fi
	[[ $status == ok ]] || failed=1
	summary+=("$(printf '%-32s %-6s %4d s  %s' "$name" "$status" $((SECONDS - start)) "${counts}${reason}")")
done

echo "== notebooks"
printf '%s\n' "${summary[@]}"
exit "$failed"
