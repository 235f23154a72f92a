#!/usr/bin/env bash
# The deep models on a GPU: install the GPU extra, show the backend and its devices, measure
# training throughput of the full-size cnn and crnn and time a default compare run; the
# figures go to benchmarks/GPU.md.  Under 5 minutes on a data-centre GPU.
#
#   benchmarks/gpu_check.sh          GPU mode: pip install ".[keras-cuda,xgboost]" into the
#                                    active environment (or ./.venv-gpu, made when none is
#                                    active), full-size models, default compare run
#   benchmarks/gpu_check.sh --cpu    no install, CPU only (JAX_PLATFORMS=cpu), CPU-sized
#                                    models and a 10-track compare: about a minute or two
#
# Options: --no-install (use the environment as it is), --out FILE (default
# benchmarks/GPU.md), -h/--help.  The Markdown names the device the backend computed on,
# so figures from a CPU run say so.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
mode=gpu
install=1
out="$here/GPU.md"

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --cpu) mode=cpu; install=0 ;;
        --no-install) install=0 ;;
        --out) out="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "gpu_check.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

cd "$repo"
python="${PYTHON:-python3}"
if [ "$install" = 1 ]; then
    if [ -z "${VIRTUAL_ENV:-}" ]; then
        "$python" -m venv .venv-gpu
        python="$repo/.venv-gpu/bin/python"
    fi
    "$python" -m pip install --quiet ".[keras-cuda,xgboost]"
fi

if [ "$mode" = cpu ]; then
    export JAX_PLATFORMS=cpu
    args=(--size cpu --compare-tiny)
else
    args=(--size full)
fi

echo "== python -m mir_genre info"
"$python" -m mir_genre info
echo "== benchmarks/gpu_throughput.py ${args[*]}"
section="$(mktemp)"
trap 'rm -f "$section"' EXIT
start=$SECONDS
status=0
"$python" "$here/gpu_throughput.py" "${args[@]}" --markdown "$section" || status=$?

{
    echo "# The deep models on a GPU: throughput and compare time"
    echo
    echo "Written by \`benchmarks/gpu_check.sh\` (mode: $mode). Targets, not asserted in"
    echo "tests: >= 10,000 training samples/s for the full-size 4-block CNN on a data-centre"
    echo "GPU, and a default \`compare\` (full-size CNN, synthetic dataset) under 2 minutes."
    echo "The line \"Ran on\" says which device produced the figures below."
    echo
    cat "$section"
} >"$out"
echo "== wrote $out ($((SECONDS - start)) s)"
exit "$status"
