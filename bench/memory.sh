#!/usr/bin/env bash
# Benchmark of the embedded long-term memory store and the engines it was chosen against, on a
# synthetic corpus shaped like a dbt project with docs and history (~17 records per model:
# 50,000 records ≈ 3,000 models). For each engine and size, one process builds the store
# (upserts in batches of 1,000, vectors from the local embedder computed beforehand) and
# another opens it and times 400 hybrid queries (column names, phrases, half of them with a
# filter); each prints wall and CPU time, disk size and its own peak RSS. Then the recall of
# the local embedder, BM25 and hybrid ranking on column descriptions of real dbt projects.
#
#   bench/memory.sh [ENGINES] [SIZES] [REPO...]
#   defaults: "own chromem bleve" "20000 50000 100000" examples/shop (docs/memory.md names
#   the public dbt repositories we measured; pass their clones, bare or not, as REPO)
#
# Engines: own = internal/memory/embedded (the one shipped); chromem = chromem-go v0.7.0 for
# vectors and persistence plus our in-memory BM25; bleve = bleve v2.6.3 (BM25 scoring) for text,
# filters and persistence, plus a side file of vectors scanned exactly (bleve's own vector
# search needs the faiss C library). The comparison lives in its own Go module (bench/memory)
# so that the candidates we did not choose stay out of dataops's go.mod.
set -euo pipefail
engines=${1:-"own chromem bleve"}
sizes=${2:-"20000 50000 100000"}
shift $(( $# > 2 ? 2 : $# ))
repos=()
for r in "$@"; do repos+=("$(cd "$r" && pwd)"); done
cd "$(dirname "$0")/memory"
[ ${#repos[@]} -gt 0 ] || repos=("$(cd ../../examples/shop && pwd)")
mkdir -p ../out
go build -o ../out/memory-bench .
go build -o ../out/memory-eval ./eval
work=$(mktemp -d /tmp/dataops-bench-memory.XXXXXX)
trap 'rm -rf "$work"' EXIT
for n in $sizes; do
  for e in $engines; do
    ../out/memory-bench -engine "$e" -n "$n" -dir "$work/$e-$n" -phase build
    ../out/memory-bench -engine "$e" -n "$n" -dir "$work/$e-$n" -phase query
    rm -rf "${work:?}/$e-$n"
  done
done

# Embedder quality: for each documented column, is its own description retrieved first among
# all descriptions of its project? Repositories are bare or normal git clones of dbt projects;
# the property files are read at HEAD.
../out/memory-eval "${repos[@]}"
