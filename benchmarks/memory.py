"""Peak resident memory of this process, as the benchmarks report it."""


def peak_rss_mb() -> float:
    """The kernel's high-water mark of this process's resident set (VmHWM), in MB; NaN where /proc has none."""
    try:
        with open("/proc/self/status") as f:
            return next((int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:")), float("nan"))
    except OSError:
        return float("nan")
