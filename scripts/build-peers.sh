#!/usr/bin/env bash
# Builds the peer implementation used for fixtures and benchmarks: llama.cpp as vendored in the
# llama-cpp-python source distribution from PyPI (the version is pinned so fixtures can be
# regenerated exactly). Everything lands in <repo>/peers (git-ignored); re-running is cheap.
#
# Afterwards:
#   peers/llama.cpp/bin/llama-bench                 the speed reference (docs/BENCHMARKS.md)
#   peers/llama.cpp/bin/llama-speculative           the speculative-decoding reference (docs/ENGINE.md)
#   peers/llama.cpp/bin/llama-batched-bench         the batched-decoding reference (docs/BENCHMARKS.md)
#   peers/llama.cpp/bin/libllama.so                 loaded by the Python bindings below
#   peers/env.sh                                    `source` it to use the bindings from Python
set -euo pipefail

version=0.3.36
repo=$(cd "$(dirname "$0")/.." && pwd)
peers=$repo/peers
src=$peers/llama_cpp_python-$version
build=$peers/llama.cpp
mkdir -p "$peers"

python3 -m pip install --quiet cmake ninja numpy typing_extensions diskcache jinja2 scikit-build-core
if [[ ! -d $src ]]; then
  python3 -m pip download --quiet --no-deps --no-binary llama-cpp-python --no-build-isolation \
    --dest "$peers" "llama-cpp-python==$version"
  tar -xzf "$peers/llama_cpp_python-$version.tar.gz" -C "$peers"
fi

cmake -S "$src/vendor/llama.cpp" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_SERVER=OFF \
  -DCMAKE_RUNTIME_OUTPUT_DIRECTORY="$build/bin" -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$build/bin" >/dev/null
cmake --build "$build" --target llama llama-bench llama-batched-bench llama-speculative -j "$(nproc)"

cat >"$peers/env.sh" <<ENV
export PYTHONPATH="$src\${PYTHONPATH:+:\$PYTHONPATH}"
export LLAMA_CPP_LIB_PATH="$build/bin"
ENV
echo "llama.cpp $version built in $build"
