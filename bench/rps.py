"""Requests per second: the times page against a bare Django view, in one run.

    .venv/bin/python bench/rps.py
    .venv/bin/python bench/rps.py --also-uncached   # and the times page with no free-times cache

One gunicorn (bench/serving.py: production settings, static files collected,
the in-process reference diary with no latency, 4 sync workers of 1 thread as
bench/load.sh) serves the site through bench.bare_settings, whose URLconf
adds /bench/bare/: a view returning a 2-byte HttpResponse through the same
middleware. wrk (installed from Debian's packages when missing, as root)
loads each for DURATION (10s) with CONNECTIONS (50) connections and 2
threads, the times page first. The database is a fresh copy of the demo
practice in a temporary folder.

The times page is one practitioner and room, the one with the most free
times in its first window that has any (bench/harness.py: busiest_pair;
step 1 is two questions, and "this week" may be empty). With the default
BOOKING_FREE_TIMES_CACHE_SECONDS (60) nearly every request under load is
answered from each worker's free-times cache: the figure is the page's
rendering cost. `--also-uncached` adds a run on a second server with the
cache off, where every request asks the in-process diary (and takes longer).

Prints wrk's reports, requests/s of each and the ratio times/bare, and a
BENCH-RESULT line (a report: no target).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import bench_result, busiest_pair, expect, fetch, manage
from serving import ROOT, production_env, serve

LUA = ROOT / "bench" / "load.lua"
SETTINGS = "bench.bare_settings"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("rps: wrk is missing and cannot be installed here (needs root, apt-get)")
    print("== Installing wrk from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True)
        subprocess.run(install, env=env, capture_output=True, check=True)
    return shutil.which("wrk") or "wrk"


def times_path(base: str) -> str:
    """One practitioner and room, in the first window where it has free times."""
    return busiest_pair(base)[0]


def wrk(tool: str, url: str, duration: str, connections: int) -> dict[str, str]:
    """wrk's report (printed) and its BENCH line's fields."""
    command = [tool, "-t2", f"-c{connections}", f"-d{duration}", "--timeout", "2s", "--latency"]
    done = subprocess.run(
        [*command, "-s", str(LUA), url], capture_output=True, text=True, check=True
    )
    print(done.stdout, end="", flush=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"rps: wrk printed no BENCH line for {url}")
    fields = dict(word.split("=", 1) for word in line.split()[1:])
    # A request over wrk's 2 s is counted and reported, not fatal: on a busy machine
    # it says the server is slow, which is this benchmark's figure, not that it failed.
    errors = sum(int(fields[k]) for k in ("connect", "read", "write"))
    if fields["non2xx3xx"] != "0" or errors:
        raise SystemExit(f"rps: {url}: answers that were not 2xx/3xx, or socket errors: {line}")
    return fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", default=os.environ.get("DURATION", "10s"))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("CONNECTIONS", "50")))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--also-uncached", action="store_true")
    args = parser.parse_args()
    tool = ensure_wrk()

    results: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-rps-") as work:
        database = f"sqlite:///{Path(work) / 'db.sqlite3'}"
        env = production_env(DATABASE_URL=database, DJANGO_SETTINGS_MODULE=SETTINGS)
        manage(env, "migrate", "--noinput", "-v", "0")
        print(manage(env, "seed_demo_diary"), flush=True)
        settings = {"DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": SETTINGS}
        servers = [({}, ["times", "bare"])]
        if args.also_uncached:
            servers.append(({"BOOKING_FREE_TIMES_CACHE_SECONDS": "0"}, ["times, no cache"]))
        for extra, pages in servers:
            with serve(workers=args.workers, threads=args.threads, **settings, **extra) as base:
                for label in pages:
                    path = "/bench/bare/" if label == "bare" else times_path(base)
                    expect(fetch(base + path), 200)
                    print(
                        f"\n-- {label}: {base}{path} (workers={args.workers}"
                        f" threads={args.threads}, {args.connections} connections,"
                        f" {args.duration})",
                        flush=True,
                    )
                    results[label] = wrk(tool, base + path, args.duration, args.connections)

    times, bare = float(results["times"]["rps"]), float(results["bare"]["rps"])
    print(f"\n{'page':<28} {'rps':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for label, fields in results.items():
        print(f"{label:<28} {fields['rps']:>9} {fields['p50_ms']:>8} {fields['p99_ms']:>8}")
    print(f"ratio times/bare: {times / bare:.2f}")
    figures = {
        "times page": f"{times:.0f} req/s",
        "bare view": f"{bare:.0f} req/s",
        "ratio times/bare": f"{times / bare:.2f}",
    }
    if "times, no cache" in results:
        uncached = float(results["times, no cache"]["rps"])
        figures["times page, no free-times cache"] = f"{uncached:.0f} req/s"
    for label, fields in results.items():
        if fields["timeout"] != "0":
            figures[f"{label}: over 2 s"] = f"{fields['timeout']} of {fields['requests']} requests"
    bench_result("rps", figures, {}, True)


if __name__ == "__main__":
    sys.exit(main())
