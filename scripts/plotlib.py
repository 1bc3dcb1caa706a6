"""Shared by the plot scripts (scripts/plot_hv.py, scripts/plot_front.py):
importing matplotlib with a one-line error when it cannot be used."""
import sys


def import_pyplot():
    """matplotlib.pyplot (Agg backend), or exit with one line saying why not.
    What a broken install prints while failing to import is discarded."""
    import os
    import tempfile
    prog = sys.argv[0].rsplit("/", 1)[-1]
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                import matplotlib
                matplotlib.use("Agg")
                import matplotlib.pyplot as plt
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    except ModuleNotFoundError as e:
        what = "matplotlib is not installed" if e.name == "matplotlib" else "matplotlib cannot be imported (%s)" % e
        sys.exit("%s: %s for %s; %s" % (prog, what, sys.executable, _what_to_do()))
    except Exception as e:  # a broken install, e.g. Debian's matplotlib under a user-site numpy 2
        sys.exit("%s: matplotlib cannot be imported for %s (%s: %s); %s"
                 % (prog, sys.executable, type(e).__name__, e, _what_to_do()))
    finally:
        os.close(saved)
    return plt


DEBIAN_PYTHON = "/usr/bin/python3"


def _what_to_do():
    """The one thing to do when matplotlib cannot be imported here: run the
    script with Debian's Python when that one can draw (user-site packages
    ignored, -s), else install it (the same choice as scripts/lib_python.sh)."""
    import os
    import subprocess
    here = os.path.realpath(sys.executable or "")
    if os.path.exists(DEBIAN_PYTHON):
        for cmd in ([DEBIAN_PYTHON], [DEBIAN_PYTHON, "-s"]):
            if here == os.path.realpath(DEBIAN_PYTHON) and cmd == [DEBIAN_PYTHON]:
                continue
            try:
                ok = subprocess.run(cmd + ["-c", "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, timeout=60).returncode == 0
            except (OSError, subprocess.SubprocessError):
                ok = False
            if ok:
                return "%s can draw: run %s %s (HWNAS_PYTHON for scripts/compare.sh)" % (
                    " ".join(cmd), " ".join(cmd), " ".join(sys.argv))
        return ("install it: apt-get install python3-numpy python3-matplotlib (for %s; scripts/setup.sh does), "
                "or %s -m pip install matplotlib" % (DEBIAN_PYTHON, sys.executable))
    return "install it: %s -m pip install matplotlib" % sys.executable


def save_figure(fig, path):
    """fig.savefig(path) (dpi 150) after tight_layout, or exit with one line
    naming the file and the reason."""
    prog = sys.argv[0].rsplit("/", 1)[-1]
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=150)
    except (OSError, ValueError) as e:
        sys.exit("%s: cannot write %s: %s" % (prog, path, e))
