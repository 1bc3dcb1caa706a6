# scripts/lib_python.sh — sourced by the shell scripts that run the plot
# scripts (scripts/compare.sh, scripts/setup.sh, tests): which Python can draw.
#
#   . scripts/lib_python.sh
#   py=$(plot_python) || exit 1      # e.g. "python3" or "/usr/bin/python3 -s"
#   $py scripts/plot_hv.py ...
#
# plot_python prints the command of the first interpreter that can import
# numpy and matplotlib.pyplot: $HWNAS_PYTHON when set (and then only it),
# else python3 on PATH, else Debian's /usr/bin/python3 (with and without -s,
# which ignores user-site packages that can break Debian's matplotlib).  When
# none can, it prints on stderr, in one message, what each candidate lacks
# and exactly what to install, and returns 1.

plot_python_check() { # plot_python_check CMD...: 0 when CMD can draw; else the error on stdout
    "$@" -c 'import numpy, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot' 2>&1 >/dev/null | tail -n 1
    return "${PIPESTATUS[0]}"
}

plot_python() {
    local cands=() c why tried=""
    if [ -n "${HWNAS_PYTHON:-}" ]; then
        cands=("$HWNAS_PYTHON")
    else
        cands=("python3" "/usr/bin/python3" "/usr/bin/python3 -s")
    fi
    for c in "${cands[@]}"; do
        # shellcheck disable=SC2086  # a command with options, e.g. "/usr/bin/python3 -s"
        if ! command -v ${c%% *} >/dev/null 2>&1; then
            tried="$tried; $c: not found"
            continue
        fi
        # shellcheck disable=SC2086
        if why=$(plot_python_check $c); then
            echo "$c"
            return 0
        fi
        tried="$tried; $c ($(command -v ${c%% *})): ${why:-cannot import matplotlib}"
    done
    {
        echo "no Python that can import numpy and matplotlib (tried${tried#;})."
        if [ -n "${HWNAS_PYTHON:-}" ]; then
            echo "  HWNAS_PYTHON=$HWNAS_PYTHON: install them for it ($HWNAS_PYTHON -m pip install numpy matplotlib), or unset HWNAS_PYTHON."
        elif [ -x /usr/bin/apt-get ]; then
            echo "  Install Debian's: apt-get install python3-numpy python3-matplotlib (scripts/setup.sh does), or"
            echo "  'python3 -m pip install numpy matplotlib' for the python3 on PATH, or set HWNAS_PYTHON to an interpreter that has them."
        else
            echo "  Install them for the python3 on PATH (python3 -m pip install numpy matplotlib), or set HWNAS_PYTHON to an interpreter that has them."
        fi
    } >&2
    return 1
}
