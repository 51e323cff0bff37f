#!/usr/bin/env bash
# Set up the development environment and run one of the project's jobs.
#
# Usage: ./run.sh demo          run the demo: the training script (with a TensorBoard run) and the
#                               demo notebooks
#        ./run.sh test [ARGS]   run the whole test suite; ARGS go to pytest (e.g. -n 0, -k conv)
#        ./run.sh lint          check lint and formatting with ruff
#
# Each command works on a fresh machine by itself: it first installs the Debian packages the project
# needs (when root), creates .venv when missing and installs the project into it, editable, with
# its test extras. Set PYTHON to choose the interpreter .venv is made from (default: python3).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
readonly VENV=.venv

log() { printf '==> %s\n' "$*" >&2; }

usage() { sed -n '4,7s/^# \{0,1\}//p' "$0" >&2; }

# Debian packages: graphviz provides `dot`, which renders jtorch_ext's autograd graphs; chromium is
# the headless browser the JupyterLab test drives.
install_system_packages() {
    local missing=()
    command -v dot >/dev/null || missing+=(graphviz)
    command -v chromium >/dev/null || missing+=(chromium)
    ((${#missing[@]})) || return 0
    if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
        log "not installing ${missing[*]} (needs root and apt-get); tests that need it will skip"
        return 0
    fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Create .venv and install the project into it. The install is skipped when pyproject.toml has not
# changed since the last one that succeeded (its hash is kept in .venv).
install_python_packages() {
    if [[ ! -x $VENV/bin/python ]]; then
        log "creating $VENV"
        "${PYTHON:-python3}" -m venv "$VENV"
    fi
    local stamp=$VENV/.jtorch-install-stamp want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
        return 0
    fi
    log "installing jtorch[test] into $VENV (the first time takes a few minutes: torch is large)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    echo "$want" >"$stamp"
}

# Put .venv first on PATH, so that `python`, `jupyter`, `tensorboard` and `mpiexec`, in this script
# and in every process the jobs start, are the project's.
activate_venv() {
    export VIRTUAL_ENV=$PWD/$VENV
    export PATH=$VIRTUAL_ENV/bin:$PATH
}

# The main job: train the demo model (writing a TensorBoard run under runs/), then execute every
# demo notebook in place on a real Jupyter kernel.
run_demo() {
    python demo_notebooks/train_demo.py
    python demo_notebooks/run_notebooks.py
}

# Two workers, one per core of the CI machine; a later `-n N` among ARGS overrides it.
run_test() {
    python -m pytest -n 2 -q "$@"
}

# Both checks always run, so one call reports every problem.
run_lint() {
    local rc=0
    ruff check . || rc=1
    ruff format --check . || rc=1
    return "$rc"
}

main() {
    local cmd=${1:-}
    case $cmd in
        demo | test | lint) shift ;;
        *)
            usage
            return 2
            ;;
    esac
    install_system_packages
    install_python_packages
    activate_venv
    "run_$cmd" "$@"
}

main "$@"
