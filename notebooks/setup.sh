#!/usr/bin/env bash
# setup.sh — install Jupyter (Debian packages) and build the gophernotes kernel
# used by the notebooks in this folder. Idempotent; safe to run again.
#
# What it does (facts in /work/shared/notes/notebooks.md):
#   1. apt: jupyter-notebook, nbconvert, nbclient, ipykernel, jupyter-client,
#      graphviz (notebook 02 draws the textbook graph with it)
#      (skipped when all are installed).
#   2. kernel: copies gophernotes v0.7.5 from the module cache into
#      notebooks/.kernel/src/gophernotes, applies the two-line x_package.go
#      change gophernotes master made, and builds it from notebooks/kernel
#      (its own module, pinning gomacro to a version that reads Go 1.26's
#      standard library) into notebooks/.kernel/bin/gophernotes.
#   3. kernel spec: notebooks/.kernel/jupyter/kernels/gophernotes/kernel.json;
#      point JUPYTER_PATH at notebooks/.kernel/jupyter to use it (check.sh does).
#
# Works as root with no stdin (CI=true). Needs network access to Debian apt and
# the Go module proxy.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kdir="$here/.kernel"
export GOTOOLCHAIN=local                 # the kernel must run on the Go it was built with
export GONOSUMDB=github.com/cosmos72     # sum.golang.org has no entry for the pinned gomacro
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export DEBIAN_FRONTEND=noninteractive

phase_start=0
phase() { phase_start=$SECONDS; echo "== $1"; }
done_phase() { echo "== $1 took $((SECONDS - phase_start)) s"; }

# --- 1. Jupyter from Debian ------------------------------------------------
pkgs=(jupyter-notebook python3-nbconvert python3-nbclient python3-ipykernel jupyter-client graphviz)
phase "apt packages: ${pkgs[*]}"
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if ((${#missing[@]})); then
	sudo=""
	if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
	$sudo apt-get update -q </dev/null
	$sudo apt-get install -y -q "${missing[@]}" </dev/null
else
	echo "already installed"
fi
/usr/bin/python3 -m nbconvert --version >/dev/null
done_phase "apt"

# --- 2. gophernotes, patched ---------------------------------------------------
phase "gophernotes v0.7.5 (patched) build"
command -v go >/dev/null || { echo "setup.sh: go not on PATH" >&2; exit 1; }
src="$kdir/src/gophernotes"
orig="$(cd / && GOFLAGS=-mod=mod go mod download -json github.com/gopherdata/gophernotes@v0.7.5 |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d "$orig" ]] || { echo "setup.sh: gophernotes v0.7.5 not in module cache" >&2; exit 1; }
rm -rf "$src"
mkdir -p "$kdir/src" "$kdir/bin"
cp -R "$orig" "$src"
chmod -R u+w "$src"
# The change gophernotes master made for the newer gomacro: the JSON proxy
# returns map[string]interface{} (as display.JSONer does), not string.
sed -i \
	-e 's/^\(\tJSON_  func(interface{}) \)string$/\1map[string]interface{}/' \
	-e 's/^func (P \*proxy_JSONer) JSON() string {$/func (P *proxy_JSONer) JSON() map[string]interface{} {/' \
	"$src/x_package.go"
if [[ $(grep -c 'map\[string\]interface{}' "$src/x_package.go") -lt 2 ]]; then
	echo "setup.sh: x_package.go patch did not apply" >&2
	exit 1
fi
(cd "$here/kernel" && go build -o "$kdir/bin/gophernotes" github.com/gopherdata/gophernotes)
done_phase "gophernotes build"

# --- 3. kernel spec ------------------------------------------------------------
phase "kernel spec"
spec="$kdir/jupyter/kernels/gophernotes"
mkdir -p "$spec"
# GOPROXY ends in |off: this proxy answers 403 for unknown module paths, which
# would otherwise break gomacro's import of a local package.
cat >"$spec/kernel.json" <<EOF
{
  "argv": ["$kdir/bin/gophernotes", "{connection_file}"],
  "language": "go",
  "display_name": "Go (gophernotes)",
  "env": {"GOPROXY": "https://proxy.golang.org|off", "GOTOOLCHAIN": "local"}
}
EOF
cp "$src/kernel/logo-32x32.png" "$src/kernel/logo-64x64.png" "$spec/" 2>/dev/null || true
JUPYTER_PATH="$kdir/jupyter" /usr/bin/python3 -c \
	'from jupyter_client.kernelspec import KernelSpecManager as M; print(M().get_kernel_spec("gophernotes").resource_dir)' ||
	{ echo "setup.sh: kernel spec not found by jupyter" >&2; exit 1; }
done_phase "kernel spec"
echo "JUPYTER_PATH=$kdir/jupyter"
