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
        if e.name != "matplotlib":
            sys.exit("%s: matplotlib cannot be imported (%s)" % (prog, e))
        sys.exit("%s: matplotlib is not installed (apt-get install python3-matplotlib, or pip install matplotlib)"
                 % prog)
    except Exception as e:  # a broken install, e.g. Debian's matplotlib under a user-site numpy 2
        sys.exit("%s: matplotlib cannot be imported (%s: %s); with Debian's python3-matplotlib run "
                 "/usr/bin/python3 -s (ignores user-site packages)" % (prog, type(e).__name__, e))
    finally:
        os.close(saved)
    return plt


def save_figure(fig, path):
    """fig.savefig(path) (dpi 150) after tight_layout, or exit with one line
    naming the file and the reason."""
    prog = sys.argv[0].rsplit("/", 1)[-1]
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=150)
    except (OSError, ValueError) as e:
        sys.exit("%s: cannot write %s: %s" % (prog, path, e))
