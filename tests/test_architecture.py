"""What each package may import (docs/architecture.md), checked on the source."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Package → the top-level names it must never import.
FORBIDDEN = {
    "physiodiary": {"django", "bookings", "sandbox", "preview", "booking_site", "console"},
    # The console edits what the site reads (bookings/configuration.py); the
    # site never needs the console to serve a patient.
    "bookings": {"sandbox", "preview", "booking_site", "console"},
    # The reference diary plays the vendor's server: it keeps its own copy of
    # the codes and formats, so that it cannot agree with a mistake in ours.
    "sandbox": {"physiodiary", "preview", "booking_site", "console"},
    "preview": {"sandbox", "booking_site", "console"},
    # The practice's console: Django's admin on the site's own rows. It reads the
    # diary through bookings (catching physiodiary's errors), never the reference diary.
    "console": {"sandbox", "preview", "booking_site"},
}


#: Crossings kept on purpose, each with its reason.
ALLOWED = {
    # A WSGI wrapper for the benchmarks and deployment tests: it serves the
    # whole site and counts the calls that reach the reference diary.
    ("sandbox/call_log.py", "booking_site"),
}


def imports_of(path: Path) -> set[str]:
    """The top-level names of the absolute imports in a module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
    return found


def code_of(path: Path) -> str:
    """A module's source without its comments and string literals (messages may name settings)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return " ".join(t.string for t in tokens if t.type not in (tokenize.COMMENT, tokenize.STRING))


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_imports_of_reads_absolute_imports_only(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import a.b\nfrom c.d import e\nfrom . import f\nfrom .g import h\n")
    assert imports_of(module) == {"a", "c"}


def test_code_of_leaves_out_comments_and_strings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('x = settings.SANDBOX_ENABLED  # SANDBOX_NOTE\ny = "SANDBOX_TEXT"\n')
    assert "SANDBOX_ENABLED" in code_of(module)
    assert "SANDBOX_NOTE" not in code_of(module)
    assert "SANDBOX_TEXT" not in code_of(module)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_package_imports_only_what_it_may(package):
    assert modules(package), f"{package}/ has no modules"
    crossings = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imports_of(path) & FORBIDDEN[package]
        if (path.relative_to(ROOT).as_posix(), name) not in ALLOWED
    }
    assert not crossings


def test_no_sandbox_setting_is_read_outside_the_sandbox_and_the_settings():
    readers = [
        path.relative_to(ROOT).as_posix()
        for package in ("physiodiary", "bookings", "preview", "booking_site", "console")
        for path in modules(package)
        if re.search(r"\bSANDBOX_[A-Z_]+", code_of(path)) and path.name != "settings.py"
    ]
    assert readers == []


def test_no_application_module_points_outside_the_repository():
    pointing = [
        path.relative_to(ROOT).as_posix()
        for package in ("physiodiary", "bookings", "preview", "booking_site", "sandbox", "console")
        for path in modules(package)
        if "../shared" in path.read_text()
    ]
    assert pointing == []
