"""Shared by the benchmark scripts: a child process timed with its own peak RSS, a file's tail, and the
switch to Debian's python3 when the running one lacks numpy/scipy/pandas."""
import os
import subprocess
import sys
import threading
import time


def run_child(argv, stdout_path, stderr_path, timeout=None, env=None):
    """Runs argv with stdout and stderr to files, waits for it with os.wait4 so that the peak RSS is this
    child's own; returns (exit code, wall s, peak RSS MB, cpu s)."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        timer = threading.Timer(timeout, p.kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen consistent
    return p.returncode, wall, ru.ru_maxrss / 1024.0, ru.ru_utime + ru.ru_stime


def tail(path, n=20):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:]).rstrip()
    except OSError:
        return ""


def use_debian_python(script, needs):
    """Called when an import failed: re-executes `script` with /usr/bin/python3 (once), else exits naming the
    Debian packages `needs` (e.g. "numpy and scipy (apt-get install python3-numpy python3-scipy)")."""
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and not os.environ.get("PANOCARBON_BENCH_REEXEC"):
        os.environ["PANOCARBON_BENCH_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3", os.path.abspath(script)] + sys.argv[1:])
    sys.exit(f"{os.path.basename(script)}: needs {needs}")
