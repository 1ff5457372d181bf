"""docs/deploy.md names every environment variable the site and its gunicorn read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: How settings.py and gunicorn.conf.py read a variable.
READS = re.compile(
    r"""(?:env\.\w+|_number|_theme|_text|_whole\(_env,|_env\.get|seconds|environ\.get)\(?\s*"""
    r"""\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|"([A-Z][A-Z0-9_]+)" (?:not )?in os\.environ"""
)


def variables_read(path: Path) -> set[str]:
    return {a or b for a, b in READS.findall(path.read_text())}


def test_the_deployment_guide_lists_every_variable_read():
    read = variables_read(ROOT / "booking_site" / "settings.py")
    read |= variables_read(ROOT / "gunicorn.conf.py")
    assert {"DJANGO_DEBUG", "PHYSIODIARY_API_KEY", "CACHE_URL", "WEB_CONCURRENCY", "PORT"} <= read
    guide = (ROOT / "docs" / "deploy.md").read_text()
    table = guide[guide.index("## Every environment variable") :]
    listed = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert read - listed == set(), "add these to docs/deploy.md's table"


def test_the_documented_systemd_unit_runs_the_preflight_before_gunicorn():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    unit = guide[guide.index("# /etc/systemd/system/booking.service") :].split("```", 1)[0]
    starts = [line for line in unit.splitlines() if line.startswith("ExecStart")]
    # systemd runs every ExecStartPre= first, and starts nothing if one fails.
    assert starts == [
        "ExecStartPre=/srv/booking/.venv/bin/python -m booking_site.preflight",
        "ExecStart=/srv/booking/.venv/bin/gunicorn --config gunicorn.conf.py",
    ]
    makefile = (ROOT / "Makefile").read_text()
    assert "-m booking_site.preflight" in makefile  # the same check as `make serve`'s
