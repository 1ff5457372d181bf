"""The Nu HTML Checker (vnu) over every page a patient can see, in English and Welsh.

    .venv/bin/python bench/nu_html.py        # installs vnu-jar when missing, then checks

1. Installs npm's `vnu-jar`, pinned in bench/package.json and
   bench/package-lock.json, into bench/.npm/ (git-ignored) when it is missing
   or another version, with `npm ci --ignore-scripts`: its install script
   would download a Java runtime, and Debian's /usr/bin/java (17) is enough.
2. Serves the site with bench/serving.py's pieces (gunicorn, production
   settings, static files collected, the reference diary) on a throwaway copy
   of the database, with SITE_LANGUAGES=en-gb,cy; beside it, the same site
   with rate limits of 1 (for the 429 pages) and one whose diary is a closed
   port (the 503 pages), each with a database copy of its own.
3. Fetches each page in English and in Welsh (`/cy/`), each also as the
   practice's iframe asks for it (`Sec-Fetch-Dest: iframe`): who, which room,
   times of one pair and of "any", times with none chosen, details, details
   with empty and with invalid fields, the confirmation of a real booking,
   "just taken" (a second form for the same time), an expired confirmation,
   privacy, accessibility, 404, 400 (a changed link), 403 (another site's
   post), 429 (times and details), 503 (a page and the details form); and
   the booking's "Change or cancel" link (bench/nu_html_change.py): its page,
   a move's times and details pages, the cancel's "are you sure?", the
   cancel sent and visited again, the link altered by one character (404). The
   pages are written to test-artifacts/nu_html/ (git-ignored). /preview/ is
   DEBUG-only and not checked. The 500 page cannot be had honestly here.
4. Runs vnu over them all in one Java start and prints per page its errors,
   warnings and info messages (line, message, extract), then every distinct
   message with the number of pages it is on, and a total. Last line:
   `BENCH-RESULT {json}`; exits 1 on any error.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load_urls import Inputs, free_slots, real  # noqa: E402
from bench.nu_html_change import change_pages  # noqa: E402
from bench.serving import (  # noqa: E402
    PYTHON,
    collect_static,
    create_cache_table,
    free_port,
    gunicorn,
    production_env,
)

NPM_DIR = ROOT / "bench" / ".npm"
PACKAGE_DIR = NPM_DIR / "node_modules" / "vnu-jar"
VNU_JAR = PACKAGE_DIR / "build" / "dist" / "vnu.jar"
JAVA = "/usr/bin/java"
PAGES_DIR = ROOT / "test-artifacts" / "nu_html"
LANGUAGES = {"en": "", "cy": "/cy"}
PATIENT = {
    "name": "Ada Lovelace",
    "phone": "01632 960 001",
    "email": "ada@example.com",
    "desc": "Sore knee after running",
}
EMPTY = dict.fromkeys(PATIENT, "")
INVALID = {"name": "Ada Lovelace", "phone": "not a phone", "email": "nope", "desc": ""}
#: A reference of the right shape that no booking has: the expired confirmation.
GONE = "A" * 32


# --- Installing the checker ---------------------------------------------------------------


def install() -> str:
    """The pinned vnu-jar in bench/.npm/, installed when missing; its version."""
    manifest = json.loads((ROOT / "bench" / "package.json").read_text())
    wanted = manifest["dependencies"]["vnu-jar"]
    if _installed() != wanted:
        if shutil.which("npm") is None:
            sys.exit("nu_html: npm is missing (install Node.js)")
        print(f"Installing vnu-jar {wanted} into bench/.npm/ ...", flush=True)
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(ROOT / "bench" / name, NPM_DIR / name)
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=NPM_DIR,
            check=True,
        )
        if _installed() != wanted:
            sys.exit(f"nu_html: vnu-jar {wanted} did not install")
    if not Path(JAVA).exists():
        sys.exit(f"nu_html: {JAVA} is missing (Debian's default-jre-headless)")
    return wanted


def _installed() -> str | None:
    manifest = PACKAGE_DIR / "package.json"
    if not (manifest.exists() and VNU_JAR.exists()):
        return None
    return json.loads(manifest.read_text())["version"]


# --- Fetching pages -----------------------------------------------------------------------


class Form(Inputs):
    """Inputs' values (load_urls.Inputs), and the action of the page's POST form."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.action = a.get("action") or ""
        super().handle_starttag(tag, attrs)


@dataclass
class Fetched:
    url: str
    status: int
    location: str
    body: str
    form: Form = field(default_factory=Form)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, data: dict[str, str] | None = None, **headers: str) -> Fetched:
    """GET (or POST `data` to) `url` with `headers`; redirects are not followed."""
    body = urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with _OPENER.open(request, timeout=60) as answer:
            status, head, text = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, head, text = error.code, error.headers, error.read()
    page = Fetched(url, status, urljoin(url, head.get("Location", "")), text.decode("utf-8"))
    page.form.feed(page.body)
    return page


@dataclass
class Visitor:
    """One patient's way through the site: a language, in a frame or not; the pages kept."""

    base: str
    prefix: str  # "" or "/cy"
    embedded: bool
    label: str
    pages: dict[str, Fetched]

    def headers(self, **extra: str) -> dict[str, str]:
        # What a browser sends for a navigation inside the practice's iframe.
        return {"Sec-Fetch-Dest": "iframe", **extra} if self.embedded else extra

    def keep(self, name: str, page: Fetched, status: int) -> Fetched:
        """Check the page answered `status`; keep it for the checker under `name`, if any."""
        if page.status != status:
            sys.exit(
                f"nu_html: {self.label} {name}: {page.url} answered {page.status}, not {status}"
            )
        if name:
            self.pages[f"{self.label} {name}"] = page
        return page

    def get(self, name: str, path: str, status: int = 200, base: str = "") -> Fetched:
        page = fetch((base or self.base) + self.prefix + path, **self.headers())
        return self.keep(name, page, status)

    def post(
        self, name: str, form: Fetched, data: dict[str, str], status: int, **extra: str
    ) -> Fetched:
        """Post `form`'s details form with the patient's fields set to `data`."""
        if form.form.action is None:
            sys.exit(f"nu_html: no details form on {form.url}")
        fields = {key: values[0] for key, values in form.form.values.items()}
        page = fetch(
            urljoin(form.url, form.form.action), {**fields, **data}, **self.headers(**extra)
        )
        return self.keep(name, page, status)


# --- The pages ----------------------------------------------------------------------------


def first_pair(base: str, needed: int) -> tuple[str, str, list[str]]:
    """A practitioner and room with at least `needed` free times in one window, and those."""
    choose = fetch(base + "/")
    for staff in real(choose.form.values.get("staffId", [])):
        # One question a page: the rooms are asked once the practitioner is chosen.
        rooms = fetch(base + "/?" + urlencode({"staffId": staff})).form.values
        for room in real(rooms.get("sectionId", [])):
            _, slots = free_slots(base, staff, room)
            if len(slots) >= needed:
                return staff, room, slots
    sys.exit(f"nu_html: no practitioner and room has {needed} free times in one window")


def details_path(slot: str) -> str:
    """A slot's value (YYYYMMDD-HHMM-staffId-sectionId) as its details page's path."""
    date, time, staff, room = slot.split("-")[:4]
    return "/details/?" + urlencode(
        {"staffId": staff, "sectionId": room, "date": date, "time": time}
    )


def wizard_pages(visitor: Visitor, staff: str, room: str, slot: str) -> None:
    """Steps 1 to 4, their error states, "just taken" and the pages around them."""
    pair = urlencode({"staffId": staff, "sectionId": room})
    visitor.get("who", "/")
    visitor.get("which room", f"/?staffId={staff}")
    visitor.get("who, unknown practitioner", "/?staffId=1")
    visitor.get("times", f"/times/?{pair}")
    visitor.get("times, any", "/times/?staffId=any&sectionId=any")
    visitor.get("times, none chosen", f"/times/?{pair}&next=", status=400)
    form = visitor.get("details", details_path(slot))
    second = visitor.get("", details_path(slot))  # a second tab, for "just taken"
    visitor.post("details, empty fields", form, EMPTY, 400)
    visitor.post("details, invalid fields", form, INVALID, 400)
    booked = visitor.post("", form, PATIENT, 303)
    confirmation = visitor.get(
        "booked", urlsplit(booked.location).path.removeprefix(visitor.prefix)
    )
    change_pages(visitor, confirmation)
    visitor.post("just taken", second, PATIENT, 409)
    visitor.post("another site's post", second, PATIENT, 403, Origin="https://elsewhere.example")
    visitor.get("booked, expired", f"/booked/{GONE}/", status=404)
    visitor.get("privacy", "/privacy/")
    visitor.get("accessibility", "/accessibility/")
    visitor.get("not found", "/nothing-here/", status=404)
    visitor.get("changed link", "/times/?date=nonsense", status=400)


def limited_pages(visitor: Visitor, limited: str, pair: str, slot: str) -> None:
    """The 429s, on the site allowing one search and one refused form an address."""
    # The first of each is allowed: the first visitor's, unchecked. The count
    # is the address's, whatever the language, so every later one is over.
    first = not any(name.endswith("too many searches") for name in visitor.pages)
    visitor.get("", f"/times/?{pair}", status=200 if first else 429, base=limited)
    visitor.get("too many searches", f"/times/?{pair}", status=429, base=limited)
    form = visitor.get("", details_path(slot), base=limited)
    visitor.post("", form, EMPTY, 400 if first else 429)
    visitor.post("details, too many", form, EMPTY, 429)


def down_pages(visitor: Visitor, down: str, slot: str) -> None:
    """The 503s, on the site whose diary is a closed port."""
    visitor.get("unavailable", "/", status=503, base=down)
    # A form the working site gave (the same secret signs both), posted
    # when the diary has gone: the details page keeps what was typed.
    form = visitor.get("", details_path(slot))
    form.url = down + urlsplit(form.url).path + "?" + urlsplit(form.url).query
    visitor.post("details, unavailable", form, PATIENT, 503)


def collect(sites: dict[str, str]) -> dict[str, Fetched]:
    """Every page, in each language, plain and framed: name -> the page as served."""
    variants = [(lang, embedded) for lang in LANGUAGES for embedded in (False, True)]
    # One free time for each visitor to book, and one to post while the diary is down.
    staff, room, slots = first_pair(sites["site"], len(variants) + 1)
    pair = urlencode({"staffId": staff, "sectionId": room})
    pages: dict[str, Fetched] = {}
    for number, (lang, embedded) in enumerate(variants):
        label = f"{lang}{' framed' if embedded else ''}"
        visitor = Visitor(sites["site"], LANGUAGES[lang], embedded, label, pages)
        wizard_pages(visitor, staff, room, slots[number])
        limited_pages(visitor, sites["limited"], pair, slots[-1])
        down_pages(visitor, sites["down"], slots[-1])
    return pages


# --- Serving ------------------------------------------------------------------------------


def copy_database(target: Path) -> None:
    source = ROOT / "db.sqlite3"
    if not source.exists():
        sys.exit("nu_html: db.sqlite3 is missing: run `make setup` first")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        # Without what a server on the developer's database kept in its cache: the
        # down site must find no lists kept, or it shows step 1, not its 503.
        dst.execute("DROP TABLE IF EXISTS booking_cache")


@contextlib.contextmanager
def serve_all(work: Path) -> Iterator[dict[str, str]]:
    """The site, the same with rate limits of 1, and the same with its diary down; base URLs."""
    env = production_env(DJANGO_STATIC_ROOT=str(work / "static"), SITE_LANGUAGES="en-gb,cy")
    collect_static(env)
    envs = {
        "site": {},
        "limited": {"BOOKING_SEARCH_RATE_LIMIT": "1", "BOOKING_FORM_ERROR_RATE_LIMIT": "1"},
        "down": {
            # Nothing listens there: every call is refused at once.
            "PHYSIODIARY_API_URL": f"http://127.0.0.1:{free_port()}/api/request",
            "PHYSIODIARY_READ_RETRIES": "0",
            # Left empty with a live URL; a practice sets them, and the 503 shows them.
            "PRACTICE_OPENING_HOURS": "Monday to Friday, 8am to 8pm\nSaturday, 9am to 1pm",
        },
    }
    with contextlib.ExitStack() as stack:
        bases = {}
        for name, extra in envs.items():
            # A database each, so a cache each: the down site finds no lists the
            # working one kept, and the limits count only their own requests.
            database = work / f"{name}.sqlite3"
            copy_database(database)
            site_env = {**env, "DATABASE_URL": f"sqlite:///{database}", **extra}
            # The copy as the code wants it (the change links' records among its tables).
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=site_env,
                check=True,
            )
            create_cache_table(site_env)
            ready = "/privacy/" if name == "down" else "/"
            bases[name] = stack.enter_context(gunicorn(site_env, workers=1, ready=ready))
        yield bases


# --- Checking -----------------------------------------------------------------------------


def write_pages(pages: dict[str, Fetched]) -> dict[Path, str]:
    """Each page into test-artifacts/nu_html/ (emptied first): file -> page name."""
    shutil.rmtree(PAGES_DIR, ignore_errors=True)
    PAGES_DIR.mkdir(parents=True)
    files = {}
    for number, (name, page) in enumerate(pages.items(), 1):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = PAGES_DIR / f"{number:02d}-{slug}.html"
        path.write_text(page.body, encoding="utf-8")
        files[path.resolve()] = name
    return files


def vnu(files: list[Path]) -> list[dict]:
    """vnu's messages on `files`, from one Java start."""
    command = [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    # 0: no error; 1: errors found. Anything else, or no JSON, is the checker failing.
    if done.returncode not in (0, 1) or not done.stdout.strip():
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"nu_html: vnu exited {done.returncode}")
    return json.loads(done.stdout)["messages"]


def kind(message: dict) -> str:
    """error, warning or info, as vnu grades a message."""
    if message["type"] in ("error", "non-document-error"):
        return "error"
    return "warning" if message.get("subType") == "warning" else "info"


def report(files: dict[Path, str], messages: list[dict]) -> Counter[str]:
    """Print each page's messages and every distinct one; the count of each kind."""
    by_page: dict[str, list[dict]] = {name: [] for name in files.values()}
    for message in messages:
        path = Path(urlsplit(message.get("url", "")).path).resolve()
        by_page.setdefault(files.get(path, str(path)), []).append(message)
    totals: Counter[str] = Counter()
    distinct: Counter[tuple[str, str]] = Counter()
    for name, found in by_page.items():
        kinds = Counter(kind(m) for m in found)
        totals.update(kinds)
        print(f"{name}: {kinds['error']} errors, {kinds['warning']} warnings, {kinds['info']} info")
        for message in found:
            line = message.get("lastLine", "?")
            print(f"  {kind(message)} line {line}: {message['message']}")
            if message.get("extract"):
                print(f"    {message['extract'].strip()!r}")
        distinct.update({(kind(m), m["message"]) for m in found})
    if distinct:
        print("\nDistinct messages (pages they are on):")
        for (grade, text), count in distinct.most_common():
            print(f"  {count:3d} {grade}: {text}")
    return totals


def main() -> int:
    version = install()
    with tempfile.TemporaryDirectory(prefix="bench-nu-") as work, serve_all(Path(work)) as sites:
        pages = collect(sites)
    files = write_pages(pages)
    totals = report(files, vnu(list(files)))
    print(
        f"\nNu HTML Checker {version}: {len(files)} pages, {totals['error']} errors,"
        f" {totals['warning']} warnings, {totals['info']} info"
        f" (pages: {PAGES_DIR.relative_to(ROOT)}/)"
    )
    figures = {
        "pages": len(files),
        "errors": totals["error"],
        "warnings": totals["warning"],
        "info": totals["info"],
    }
    met = totals["error"] == 0
    result = {"name": "nu_html", "figures": figures, "targets": {"errors_max": 0}, "met": met}
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
