"""The client stands apart from any web framework: it works where Django cannot be imported."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import physiodiary

from ..client.support import FIXTURES, VENDOR_URL

PACKAGE = Path(physiodiary.__file__).resolve().parent

#: Run in a fresh interpreter, in which `import django` fails.
WITHOUT_DJANGO = textwrap.dedent(
    """
    import sys

    sys.modules["django"] = None  # any import of django, or of a part of it, now fails

    import responses

    import physiodiary

    with responses.RequestsMock() as mock:
        mock.post({url!r}, body=open({staff!r}).read(), content_type="application/json")
        client = physiodiary.PhysiodiaryClient({url!r}, "a-key", read_retries=0)
        print(len(client.practitioners()))
    print([name for name, module in sys.modules.items() if module and "django" in name])
    """
)


@pytest.mark.deploy  # starts a Python of its own
def test_it_answers_in_a_process_where_django_cannot_be_imported(tmp_path):
    code = WITHOUT_DJANGO.format(url=VENDOR_URL, staff=str(FIXTURES / "staffList.json"))

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,  # outside the project: the package is installed
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["5", "[]"]


def imported(module: Path) -> set[str]:
    """The top-level names of the modules `module` imports, wherever it imports them."""
    names = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def test_no_module_of_the_package_imports_django_or_the_site():
    for module in PACKAGE.rglob("*.py"):
        assert not imported(module) & {"django", "bookings", "booking_site", "sandbox"}, module
