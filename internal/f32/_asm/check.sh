#!/usr/bin/env bash
# Checks the two promises of internal/f32 that its tests cannot see:
#  1. the committed kernels_amd64.s and kernels_amd64.go are what the avo
#     generator in this folder writes (it regenerates them in place and fails
#     on any change, so run it on a clean tree);
#  2. the Go twins compile without fused multiply-adds on the architectures
#     whose compilers fuse (amd64 with GOAMD64=v3, arm64, loong64, ppc64le,
#     riscv64, s390x): a canary a*b + c must show one, the twins none.
# Needs only Go and git; the generator's module (avo) comes from the proxy.
set -euo pipefail
cd "$(dirname "$0")/.." # internal/f32

echo "generated kernels: go vet and go generate ./internal/f32"
(cd _asm && go vet ./...)
go generate .
if [ -n "$(git status --porcelain -- .)" ]; then
	git status --short -- .
	git --no-pager diff --stat -- .
	echo "internal/f32: the generated kernels differ from the committed ones;"
	echo "run 'go generate ./internal/f32' and commit the result."
	exit 1
fi

fused='\bV?FN?M(ADD|SUB)[A-Z0-9]*\b' # VFMADD231SS, FMADDS, FNMSUBD, FMADDF, …
canary=$(mktemp -d)
trap 'rm -rf "$canary"' EXIT
printf 'package canary\n\nfunc F(a, b, c float32) float32 { return a*b + c }\n' >"$canary/canary.go"
for target in "amd64 v3" arm64 loong64 ppc64le riscv64 s390x; do
	read -r arch level <<<"$target"
	export GOARCH=$arch GOAMD64=${level:-v1}
	if ! grep -Eq "$fused" <<<"$(cd "$canary" && go build -gcflags=-S canary.go 2>&1)"; then
		echo "no-FMA check, $target: the canary a*b + c shows no fused instruction; the check is broken"
		exit 1
	fi
	if ! listing=$(go build -gcflags=gorbm.dev/gorbm/internal/f32/...=-S . 2>&1); then
		echo "$listing"
		echo "no-FMA check, $target: internal/f32 does not build"
		exit 1
	fi
	if found=$(grep -E "$fused" <<<"$listing"); then
		echo "no-FMA check, $target: the Go twins compile to fused multiply-adds:"
		echo "$found"
		echo "round each product with an explicit float32(…) before it is added."
		exit 1
	fi
	echo "Go twins without fused multiply-adds: GOARCH=$arch${level:+ GOAMD64=$level}"
done
