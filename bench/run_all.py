"""Run every benchmark, one after the other, then print one table of their results.

    .venv/bin/python bench/run_all.py                  # or: make bench
    .venv/bin/python bench/run_all.py --only api_calls rps
    .venv/bin/python bench/run_all.py --skip lighthouse
    .venv/bin/python bench/run_all.py --record         # this run's figures become "previous"

The benchmarks, in this order (those of bench/ that are missing are skipped):

    code_shape   bench/code_shape.py   largest module and function, the modules one
                                       booking POST runs code in
    api_calls    bench/api_calls.py    API calls per booking, counted at the diary
    server_time  bench/server_time.py  server time per step, the diary answering in L
    warm_times   bench/warm_times.py   the warm times page against /healthz, "any" against one
    rps          bench/rps.py          requests/s, the times page against a bare view
    memory       bench/memory.py       resident memory per worker after 10,000 and 20,000
                                       mixed requests
    day          bench/day.py          a day of 300 visitors on two servers and a 500 ms
                                       diary, with and without warming at step 1
    two_servers  bench/two_servers.py  sites A and B on one Redis: a booking alternating
                                       between them, double submits, the rate limit
    load         bench/load.sh         wrk on the times and details pages (DURATION=10s
                                       unless DURATION is set)
    bytes        bench/bytes.py        bytes a booking downloads, and each step's first paint
    lighthouse   bench/lighthouse.sh   Lighthouse on every page (or lighthouse.py)
    nu_html      bench/nu_html.py      the Nu HTML Checker on every page a patient can
                                       see, English and Welsh, plain and framed
    observatory  bench/observatory.py  MDN HTTP Observatory's score, over TLS on ports
                                       80 and 443 of this machine (as root)

Each one's output is streamed as it runs; each ends with a line
`BENCH-RESULT {"name", "figures", "targets", "met"}`, from which the table
is made: name | figure | previous | target | met, "previous" being the
figure of the same name in bench/figures.json (the last run recorded). A
missed target is reported, not a failure: the exit status is 0 unless a benchmark crashed (it exited
non-zero without a BENCH-RESULT line, or printed none).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MARK = "BENCH-RESULT "
#: The figures of the last recorded run (`--record`), printed beside this run's.
FIGURES = BENCH / "figures.json"


@dataclass
class Outcome:
    name: str
    command: list[str]
    status: int | None = None
    seconds: float = 0
    results: list[dict] = field(default_factory=list)

    @property
    def crashed(self) -> bool:
        # A benchmark that exits non-zero after its result line missed a
        # target (bench/load.sh and bench/lighthouse.py do so); without one, it failed.
        return not self.results


def benchmarks() -> list[tuple[str, list[str], dict[str, str]]]:
    """(name, command, extra environment) of each benchmark present."""
    found = []
    for name in ("code_shape", "api_calls", "server_time", "warm_times", "rps", "memory", "day"):
        if (BENCH / f"{name}.py").exists():
            found.append((name, [PYTHON, str(BENCH / f"{name}.py")], {}))
    if (BENCH / "two_servers.py").exists():
        found.append(("two_servers", [PYTHON, str(BENCH / "two_servers.py")], {}))
    found.append(
        ("load", ["bash", str(BENCH / "load.sh")], {"DURATION": os.environ.get("DURATION", "10s")})
    )
    if (BENCH / "bytes.py").exists():
        found.append(("bytes", [PYTHON, str(BENCH / "bytes.py")], {}))
    if (BENCH / "lighthouse.sh").exists():
        found.append(("lighthouse", ["bash", str(BENCH / "lighthouse.sh")], {}))
    elif (BENCH / "lighthouse.py").exists():
        found.append(("lighthouse", [PYTHON, str(BENCH / "lighthouse.py")], {}))
    if (BENCH / "nu_html.py").exists():
        found.append(("nu_html", [PYTHON, str(BENCH / "nu_html.py")], {}))
    if (BENCH / "observatory.py").exists():
        found.append(("observatory", [PYTHON, str(BENCH / "observatory.py")], {}))
    return found


def run(name: str, command: list[str], extra: dict[str, str]) -> Outcome:
    outcome = Outcome(name, command)
    print(f"\n{'=' * 78}\n=== {name}: {' '.join(command)}\n{'=' * 78}", flush=True)
    started = time.monotonic()
    with subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if line.startswith(MARK):
                try:
                    outcome.results.append(json.loads(line[len(MARK) :]))
                except ValueError:
                    print(f"run_all: {name}: unreadable result line", flush=True)
        outcome.status = process.wait()
    outcome.seconds = time.monotonic() - started
    print(f"=== {name}: exit {outcome.status} after {outcome.seconds:.0f} s", flush=True)
    return outcome


def targets_by_figure(figures: dict, targets: dict) -> tuple[dict[str, str], dict[str, str]]:
    """Each target under the figure it is for, and the targets that match no figure.

    A target is for the figure of the same label, or of its label less a
    `_max` or `_min` suffix ("total_bytes_max": 60000 is "<= 60000" for
    "total_bytes").
    """
    matched, unmatched = {}, {}
    for label, target in targets.items():
        text = str(target)
        for suffix, sign in (("_max", "<= "), ("_min", ">= ")):
            if label.endswith(suffix) and label[: -len(suffix)] in figures:
                matched[label[: -len(suffix)]] = sign + text
                break
        else:
            (matched if label in figures else unmatched)[label] = text
    return matched, unmatched


def previous_figures() -> tuple[str, dict[str, dict[str, str]]]:
    """The figures recorded before (bench/figures.json), and when and where they were."""
    if not FIGURES.exists():
        return "none recorded", {}
    kept = json.loads(FIGURES.read_text())
    return f"{kept.get('recorded', '?')}, {kept.get('commit', '?')}", kept.get("results", {})


def record(outcomes: list[Outcome]) -> None:
    """Write this run's figures to bench/figures.json, keeping those of benchmarks not run."""
    _, results = previous_figures()
    for outcome in outcomes:
        for result in outcome.results:
            results[str(result.get("name", outcome.name))] = result.get("figures") or {}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    recorded = time.strftime("%Y-%m-%d")
    kept = {"recorded": recorded, "commit": commit or "?", "results": results}
    FIGURES.write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n")
    print(f"run_all: this run's figures recorded in {FIGURES.relative_to(ROOT)}")


def table(outcomes: list[Outcome]) -> None:
    source, before = previous_figures()
    rows: list[tuple[str, str, str, str, str]] = []
    for outcome in outcomes:
        if not outcome.results:
            rows.append((outcome.name, f"CRASHED (exit {outcome.status})", "", "", ""))
            continue
        for result in outcome.results:
            name = str(result.get("name", outcome.name))
            figures = result.get("figures") or {}
            previous = before.get(name, {})
            matched, unmatched = targets_by_figure(figures, result.get("targets") or {})
            cells = [
                (f"{label}: {value}", str(previous.get(label, "")), matched.get(label, ""))
                for label, value in figures.items()
            ]
            cells += [(label, "", target) for label, target in unmatched.items()]
            met = "yes" if result.get("met") else "NO"
            for number, (figure, was, target) in enumerate(cells or [("(no figures)", "", "")]):
                rows.append(
                    (name if number == 0 else "", figure, was, target, met if number == 0 else "")
                )
    heading = ("name", "figure", "previous", "target", "met")
    widths = [max(len(row[i]) for row in [*rows, heading]) for i in range(5)]
    widths[1] = min(widths[1], 64)
    widths[2] = min(widths[2], 24)
    widths[3] = min(widths[3], 32)

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    print(f"\n{'=' * 78}\n=== Summary (previous: bench/figures.json, {source})\n{'=' * 78}")
    print(line(heading))
    print("-+-".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these")
    parser.add_argument("--skip", nargs="+", metavar="NAME", default=[], help="leave these out")
    parser.add_argument(
        "--record", action="store_true", help="write this run's figures to bench/figures.json"
    )
    args = parser.parse_args()
    chosen = [
        bench
        for bench in benchmarks()
        if (not args.only or bench[0] in args.only) and bench[0] not in args.skip
    ]
    unknown = set(args.only or []) - {bench[0] for bench in benchmarks()}
    if unknown:
        parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")
    outcomes = [run(*bench) for bench in chosen]
    table(outcomes)
    if args.record:
        record(outcomes)
    crashed = [outcome.name for outcome in outcomes if outcome.crashed]
    missed = [
        outcome.name
        for outcome in outcomes
        if outcome.results and not all(r.get("met") for r in outcome.results)
    ]
    total = sum(outcome.seconds for outcome in outcomes)
    print(f"\n{len(outcomes)} benchmarks in {total:.0f} s", end="")
    print(f"; targets missed: {', '.join(missed)}" if missed else "; every target met", end="")
    print(f"; CRASHED: {', '.join(crashed)}" if crashed else "")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
