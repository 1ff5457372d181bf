"""MDN HTTP Observatory against the site as production serves it, over TLS on this machine.

    .venv/bin/python bench/observatory.py              # as root: it binds ports 80 and 443
    .venv/bin/python bench/observatory.py --host localhost --keep-json out.json

Not part of `make test`: the scanner knows no ports but 80 and 443, which
need root (or CAP_NET_BIND_SERVICE) and may be taken by something else.

1. Installs the scanner, npm's `@mdn/mdn-http-observatory` 1.4.8, into
   bench/.npm/observatory/ (git-ignored) when it is missing, with
   `--ignore-scripts`: its install scripts download the HSTS preload list and
   the TLD list. The scan reads only the first, conf/hsts-preload.json, so an
   empty one stands in (this host is on no preload list anyway); the second
   is only for its web API's host name checks.
2. Makes a certificate authority and a certificate for the host (trustme),
   trusted by node through NODE_EXTRA_CA_CERTS. (The package's own
   `mdn-http-observatory-scan` overwrites that variable with Mozilla's
   bundle, so src/scan.js is run directly.)
3. Serves the site with production settings (bench/serving.py's, but with
   the HTTPS redirect and HSTS left at their production defaults), static
   files collected, on a throwaway copy of the database (its cache in it
   too, shared by both servers): gunicorn with
   gunicorn.conf.py on port 443 with the certificate, and a second one on
   port 80, where Django's SECURE_SSL_REDIRECT sends everything to HTTPS, as
   nginx's `return 301` would.
4. Scans the host, prints the grade, the score and each test's result, and
   stops both servers. Last line: `BENCH-RESULT {json}` (target: a score of
   130 or more); exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.serving import GUNICORN, PYTHON, collect_static, production_env  # noqa: E402

PACKAGE = "@mdn/mdn-http-observatory"
VERSION = "1.4.8"
NPM_DIR = ROOT / "bench" / ".npm" / "observatory"
SCANNER = NPM_DIR / "node_modules" / "@mdn" / "mdn-http-observatory"
TARGET = 130
START_SECONDS = 60


def install_scanner() -> None:
    """The pinned scanner in bench/.npm/observatory/, installed offline-safe when missing."""
    manifest = SCANNER / "package.json"
    if not (manifest.exists() and json.loads(manifest.read_text())["version"] == VERSION):
        print(f"Installing {PACKAGE} {VERSION} into {NPM_DIR.relative_to(ROOT)}/ ...", flush=True)
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error",
             "--prefix", str(NPM_DIR), f"{PACKAGE}@{VERSION}"],
            check=True,
        )  # fmt: skip
    preload = SCANNER / "conf" / "hsts-preload.json"
    if not preload.exists():
        # What the skipped `updateHsts` install script would have downloaded.
        preload.write_text("{}\n")


def ports_free(*ports: int) -> None:
    """Stop with a plain message when a port cannot be had, before anything is started."""
    for port in ports:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                sys.exit(
                    f"observatory: cannot listen on 127.0.0.1:{port} ({exc.strerror}): the scanner"
                    " asks ports 80 and 443 only; run as root, with both ports free"
                )


def certificates(folder: Path, host: str) -> dict[str, Path]:
    """A CA and a certificate for `host`, written into `folder`: their paths."""
    import trustme

    authority = trustme.CA()
    issued = authority.issue_cert(host, "127.0.0.1")
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    authority.cert_pem.write_to_path(str(paths["ca"]))
    issued.private_key_pem.write_to_path(str(paths["key"]))
    for number, blob in enumerate(issued.cert_chain_pems):
        blob.write_to_path(str(paths["cert"]), append=number > 0)
    return paths


def copy_database(target: Path) -> None:
    source = ROOT / "db.sqlite3"
    if not source.exists():
        sys.exit("observatory: db.sqlite3 is missing: run `make setup` first")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def site_env(work: Path, host: str) -> dict[str, str]:
    """Production settings, HTTPS as production has it, on a copy of the database."""
    database = work / "db.sqlite3"
    copy_database(database)
    env = production_env(
        DJANGO_ALLOWED_HOSTS=host,
        DJANGO_STATIC_ROOT=str(work / "static"),
        DATABASE_URL=f"sqlite:///{database}",
        # Shared by both servers, as production's must be; in the copied database.
        CACHE_URL="dbcache://observatory_cache",
        WEB_CONCURRENCY="1",
    )
    # bench/serving.py turns the redirect off for plain HTTP on loopback; here
    # it is the production default again, and HSTS is too (not set = a year).
    env.pop("DJANGO_SECURE_SSL_REDIRECT", None)
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    return env


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path, tls: dict[str, Path] | None) -> Iterator:
    """gunicorn started as `make serve` starts it (gunicorn.conf.py), on 127.0.0.1:`port`."""
    args = [GUNICORN, "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"]
    if tls:
        args += ["--certfile", str(tls["cert"]), "--keyfile", str(tls["key"])]
    with log.open("w") as out:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url: str, context: ssl.SSLContext, processes: list, logs: list[Path]) -> None:
    """Until `url` answers (any status); stop with the servers' logs if one exits first."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        try:
            urllib.request.urlopen(url, timeout=5, context=context).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            # Not up yet: the pause is a wait on the other thing that can
            # happen, a server exiting, which the loop then sees at once.
            with contextlib.suppress(subprocess.TimeoutExpired):
                processes[0].wait(timeout=0.3)
    for log in logs:
        sys.stderr.write(log.read_text())
    sys.exit(f"observatory: {url} did not answer within {START_SECONDS} s (logs above)")


def scan(host: str, ca: Path) -> dict:
    """The scanner's JSON for `host`."""
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(ca)}
    result = subprocess.run(
        ["node", str(SCANNER / "src" / "scan.js"), host],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        answer = json.loads(result.stdout)
    except ValueError:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit("observatory: the scanner's answer is not JSON (above)")
    if "error" in answer:
        sys.exit(f"observatory: the scan failed: {answer['error']}")
    return answer


def report(answer: dict) -> dict:
    """Print the grade, score and every test; the BENCH-RESULT's dictionary."""
    summary = answer["scan"]
    print(f"\nMDN HTTP Observatory {VERSION}: grade {summary['grade']}, score {summary['score']},"
          f" {summary['testsPassed']} of {summary['testsQuantity']} tests passed\n")  # fmt: skip
    width = max(len(name) for name in answer["tests"])
    for name, test in answer["tests"].items():
        verdict = "pass" if test.get("pass") else "FAIL"
        modifier = f"{test.get('scoreModifier', 0):+d}"
        print(f"  {name.ljust(width)}  {verdict}  {modifier:>4}  {test.get('result')}")
    response = summary.get("responseHeaders") or {}
    print("\nThe page's headers, as scanned:")
    for header in ("content-security-policy", "cross-origin-resource-policy"):
        print(f"  {header}: {response.get(header)}")
    figures = {
        "grade": summary["grade"],
        "score": summary["score"],
        "tests_passed": f"{summary['testsPassed']}/{summary['testsQuantity']}",
    }
    met = summary["score"] >= TARGET and summary["testsPassed"] == summary["testsQuantity"]
    return {"name": "observatory", "figures": figures, "targets": {"score_min": TARGET}, "met": met}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="localhost", help="a name that resolves to 127.0.0.1")
    parser.add_argument("--keep-json", type=Path, help="also write the scanner's JSON here")
    args = parser.parse_args()
    ports_free(80, 443)
    install_scanner()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        tls = certificates(work, args.host)
        env = site_env(work, args.host)
        collect_static(env)
        logs = [work / "https.log", work / "http.log"]
        with (
            gunicorn(env, 443, logs[0], tls) as https,
            gunicorn(env, 80, logs[1], None) as http,
        ):
            context = ssl.create_default_context(cafile=str(tls["ca"]))
            wait_until_up(f"https://{args.host}/healthz", context, [https, http], logs)
            wait_until_up(f"http://{args.host}/healthz", context, [https, http], logs)
            answer = scan(args.host, tls["ca"])
    if args.keep_json:
        args.keep_json.write_text(json.dumps(answer, indent=2))
    result = report(answer)
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
