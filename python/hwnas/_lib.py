"""The ctypes binding of libhwnas's C API (api/hwnas_api.h): loads the
library installed inside this package (or $HWNAS_LIB), declares the
signatures, and turns a failed call into ValueError (bad input) or
RuntimeError (anything else) carrying the C library's one-line message."""
import ctypes
import os

HERE = os.path.dirname(os.path.abspath(__file__))
API_VERSION = 1
ARCH_MAXLEN = 256  # HWNAS_ARCH_MAXLEN
ERR_LEN = 1024     # HW_ERR_LEN
# hw_status codes that mean bad input (core/error.h): EINVAL, EIO, EPARSE, ERANGE, EMISSING
_BAD_INPUT = {-1, -2, -3, -5, -7}


class HwErr(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("msg", ctypes.c_char * ERR_LEN)]


_MSG = ctypes.POINTER(ctypes.c_char)
ASK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_double), ctypes.c_size_t,
                       ctypes.POINTER(ctypes.c_size_t), _MSG, ctypes.c_size_t)
TELL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_double),
                        ctypes.POINTER(ctypes.c_double), ctypes.c_size_t, _MSG, ctypes.c_size_t)
START = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int, ctypes.c_int, _MSG,
                         ctypes.c_size_t)


class ExternalOptimizer(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("ctx", ctypes.c_void_p), ("start", START), ("ask", ASK),
                ("tell", TELL), ("batch_size", ctypes.c_size_t)]


def _library_path():
    env = os.environ.get("HWNAS_LIB")
    if env:
        return env
    return os.path.join(HERE, "libhwnas.so")


def models_dir():
    """The models shipped inside the package ($HWNAS_MODELS wins)."""
    env = os.environ.get("HWNAS_MODELS")
    if env:
        return env
    return os.path.join(HERE, "models")


def _load():
    path = _library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        raise ImportError(f"hwnas: cannot load the C library {path}: {exc}") from None
    P, S, D, I = ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_double), ctypes.c_int
    E = ctypes.POINTER(HwErr)
    sig = {
        "hwnas_api_version": (I, []),
        "hwnas_version": (S, []),
        "hwnas_free": (None, [P]),
        "hwnas_bench_open": (I, [S, S, S, S, S, S, S, ctypes.POINTER(P), E]),
        "hwnas_bench_close": (None, [P]),
        "hwnas_bench_sample": (I, [P, ctypes.c_size_t, ctypes.c_uint64, P, ctypes.c_size_t,
                                   ctypes.POINTER(ctypes.c_size_t), E]),
        "hwnas_bench_metrics": (I, [P, S, ctypes.POINTER(I), I, ctypes.POINTER(I), E]),
        "hwnas_bench_query": (I, [P, S, ctypes.c_size_t, S, ctypes.c_uint64, ctypes.c_uint64, D, D, D, E]),
        "hwnas_bench_query_genomes": (I, [P, D, ctypes.c_size_t, S, ctypes.c_uint64, ctypes.c_uint64, D, D, D, E]),
        "hwnas_bench_genome": (I, [P, ctypes.POINTER(I), I, ctypes.POINTER(I), E]),
        "hwnas_bench_genomes_to_archs": (I, [P, D, ctypes.c_size_t, P, ctypes.c_size_t, E]),
        "hwnas_run": (I, [S, S, S, I, I, I, ctypes.POINTER(P), E]),
        "hwnas_run_external": (I, [S, S, S, I, I, ctypes.POINTER(ExternalOptimizer), ctypes.POINTER(P), E]),
    }
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    if lib.hwnas_api_version() != API_VERSION:
        raise ImportError(f"hwnas: {path} has C API version {lib.hwnas_api_version()}, this package needs {API_VERSION}")
    return lib


lib = _load()


def check(rc, err):
    """Raise for a failed call: ValueError for bad input, else RuntimeError."""
    if rc == 0:
        return
    msg = err.msg.decode("utf-8", "replace") or f"failed with code {rc}"
    raise (ValueError if rc in _BAD_INPUT else RuntimeError)(msg)


def enc(s):
    return None if s is None else str(s).encode("utf-8")


def take_text(ptr):
    """The C string at ptr (released with hwnas_free), or None."""
    if not ptr.value:
        return None
    try:
        return ctypes.string_at(ptr.value).decode("utf-8")
    finally:
        lib.hwnas_free(ptr)
