"""How much memory one account's Chromium uses: the PSS (proportional set size: shared pages
split between the processes sharing them) of every process started with its profile dir."""

from pathlib import Path

PROC = Path("/proc")


def chromium_pids(profile_dir: Path) -> list[int]:
    """Processes whose command line names this profile (`--user-data-dir=<dir>`)."""
    marker = f"--user-data-dir={profile_dir}".encode()
    pids = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if marker in cmdline:
            pids.append(int(entry.name))
    return pids


def pss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            text = (PROC / str(pid) / "smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
                break
    return total


def profile_pss(profile_dir: Path) -> int:
    return pss_bytes(chromium_pids(profile_dir))
