#!/usr/bin/env bash
# Runs the tracer's unittest suite on every pyenv CPython 3.8-3.13 found; one summary line
# per version.  The default python3 runs scenarios under fork, spawn and forkserver, the
# others under spawn only (set WORKERSCOPE_FULL=1 to run all three everywhere).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="${PYENV_ROOT:-$HOME/.pyenv}/versions"
status=0
found=0
for minor in 8 9 10 11 12 13; do
    py=""
    for candidate in "$root"/3."$minor".*/bin/python; do
        [ -x "$candidate" ] && py="$candidate"
    done
    if [ -z "$py" ]; then
        echo "3.$minor: skipped (no pyenv interpreter found)"
        continue
    fi
    found=$((found + 1))
    version="$("$py" -c 'import platform; print(platform.python_version())')"
    log="$(mktemp)"
    start=$(date +%s)
    if (cd "$here" && "$py" -m unittest discover -s tests -t . >"$log" 2>&1); then
        result="OK"
    else
        result="FAILED"
        status=1
    fi
    summary="$(grep -E '^Ran [0-9]+ tests' "$log" | tail -1)"
    echo "$version: $result ($summary, $(( $(date +%s) - start ))s)"
    # Each failure with its traceback (the assertion's own message), not only its name: a failure
    # seen once in CI must be diagnosable from the CI log alone.
    [ "$result" = "FAILED" ] && awk '/^(FAIL|ERROR):/ {show=1} /^=====|^Ran [0-9]+ test/ {show=0} show' "$log" \
        | cut -c1-400 | head -120 | sed 's/^/    /'
    rm -f "$log"
done
[ "$found" -eq 0 ] && { echo "no pyenv CPython 3.8-3.13 found under $root"; exit 1; }
exit $status
