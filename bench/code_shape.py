"""The shape of the application code, and the path of one booking POST through it.

    .venv/bin/python bench/code_shape.py

Prints, for the application packages (booking_site, bookings, physiodiary,
preview, sandbox; tests, bench and migrations left out):

- the largest modules and functions, in lines, and any over the limits the
  architecture keeps (a module 450 lines, a view 40, any other function 50;
  settings.py is one module on purpose and is left out of the module limit);
- one booking POST on the in-process reference diary, traced: the
  application modules it runs code in, and how many times a call from the
  views' code into another application module comes back to them.

A report, like the other benchmarks: it ends with a BENCH-RESULT line and
exits 0 whatever it finds.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("booking_site", "bookings", "physiodiary", "preview", "sandbox")
MODULE_LIMIT, VIEW_LIMIT, FUNCTION_LIMIT = 450, 40, 50


def application_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                files.append(path)
    return files


def functions(path: Path) -> list[tuple[str, int, bool]]:
    """(qualified name, lines, is a view) of each function in a module."""
    tree = ast.parse(path.read_text())
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                lines = child.end_lineno - first + 1
                view = "views" in path.parts or path.stem == "views"
                view = view and bool(child.args.args) and child.args.args[0].arg == "request"
                found.append((name, lines, view))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def shape() -> dict[str, object]:
    modules, over = [], []
    every_function = []
    for path in application_files():
        relative = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text().splitlines())
        modules.append((lines, relative))
        if lines > MODULE_LIMIT and not relative.endswith("settings.py"):
            over.append(f"module {relative}: {lines} lines")
        for name, size, view in functions(path):
            every_function.append((size, f"{relative}:{name}"))
            limit = VIEW_LIMIT if view else FUNCTION_LIMIT
            if size > limit:
                over.append(f"{'view' if view else 'function'} {relative}:{name}: {size} lines")
    modules.sort(reverse=True)
    every_function.sort(reverse=True)
    app_modules = [m for m in modules if not m[1].endswith("settings.py")]
    return {
        "largest_modules": modules[:5],
        "largest_module": app_modules[0],
        "largest_functions": every_function[:5],
        "over_limits": over,
        "lines": sum(lines for lines, _ in modules),
    }


def trace_booking() -> dict[str, object]:
    """One booking POST on the in-process reference diary, traced."""
    folder = tempfile.mkdtemp(prefix="code-shape-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="booking_site.settings",
        DJANGO_DEBUG="true",
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        PHYSIODIARY_API_URL="",
        BOOKING_FORM_MIN_SECONDS="0",
        EMAIL_URL="memorymail://",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("seed_demo_diary", verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    page = client.get("/times/", {"staffId": "42230", "sectionId": "7323"})
    slot = page.content.decode().split('name="slot" value="', 1)[1].split('"', 1)[0]
    details = client.get("/times/", {"staffId": "42230", "sectionId": "7323", "slot": slot})
    form_page = client.get(details["Location"])
    form = form_page.content.decode()
    fields = {}
    for name in ("staffId", "sectionId", "date", "time", "token"):
        fields[name] = form.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]
    fields.update(name="Alex Morgan", phone="07700 900 982", email="alex@example.com", desc="")
    action = form.split('action="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    roots = tuple(str(ROOT / package) + os.sep for package in PACKAGES)
    touched: set[str] = set()
    returns = 0
    stack: list[str | None] = []

    def module_of(frame) -> str | None:
        filename = frame.f_code.co_filename
        if not filename.startswith(roots) or "migrations" in filename:
            return None
        return Path(filename).relative_to(ROOT).as_posix()

    def profile(frame, event, arg) -> None:
        nonlocal returns
        if event == "call":
            module = module_of(frame)
            caller = next((m for m in reversed(stack) if m), None)
            stack.append(module)
            if module:
                touched.add(module)
                if caller and _is_view(caller) and not _is_view(module):
                    returns += 1
        elif event == "return" and stack:
            stack.pop()

    sys.setprofile(profile)
    try:
        answer = client.post(action, fields)
    finally:
        sys.setprofile(None)
    return {"status": answer.status_code, "modules": sorted(touched), "returns_to_views": returns}


def _is_view(module: str) -> bool:
    return module.startswith("bookings/views")


def main() -> None:
    found = shape()
    print(f"Application code: {found['lines']} lines")
    print("Largest modules:")
    for lines, name in found["largest_modules"]:
        print(f"  {lines:5d}  {name}")
    print("Largest functions:")
    for lines, name in found["largest_functions"]:
        print(f"  {lines:5d}  {name}")
    print(f"Over the limits ({len(found['over_limits'])}):")
    for line in found["over_limits"]:
        print(f"  {line}")
    booking = trace_booking()
    print(
        f"One booking POST answered {booking['status']}; application modules it ran code in"
        f" ({len(booking['modules'])}):"
    )
    for module in booking["modules"]:
        print(f"  {module}")
    path = [m for m in booking["modules"] if m.startswith(("bookings/", "physiodiary/"))]
    print(f"  of which the booking path's own (bookings/, physiodiary/): {len(path)}")
    print(f"Calls from the views into other application modules: {booking['returns_to_views']}")
    figures = {
        "largest_module_lines": found["largest_module"][0],
        "largest_function_lines": found["largest_functions"][0][0],
        "over_limits": len(found["over_limits"]),
        "booking_post_modules": len(booking["modules"]),
        "booking_post_path_modules": len(path),
        "booking_post_returns_to_views": booking["returns_to_views"],
    }
    targets = {"largest_module_lines": MODULE_LIMIT, "over_limits": 0}
    met = figures["largest_module_lines"] <= MODULE_LIMIT and not found["over_limits"]
    print(
        "BENCH-RESULT "
        + json.dumps({"name": "code_shape", "figures": figures, "targets": targets, "met": met})
    )


if __name__ == "__main__":
    main()
