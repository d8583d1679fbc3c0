#!/usr/bin/env bash
# Checks that the committed pcg_amd64.s and pcg_amd64.go are what the avo
# generator in this folder writes (it regenerates them in place and fails on
# any change, so run it on a clean tree). The kernel is integer arithmetic
# (and one exact conversion), so there is no fused multiply-add to look for;
# TestRandFillFloat32 checks its values against math/rand/v2's.
# Needs only Go and git; the generator's module (avo) comes from the proxy.
set -euo pipefail
cd "$(dirname "$0")/.." # internal/rng

echo "generated kernel: go vet and go generate ./internal/rng"
(cd _asm && go vet ./...)
go generate .
if [ -n "$(git status --porcelain -- .)" ]; then
	git status --short -- .
	git --no-pager diff --stat -- .
	echo "internal/rng: the generated kernel differs from the committed one;"
	echo "run 'go generate ./internal/rng' and commit the result."
	exit 1
fi
