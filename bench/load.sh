#!/usr/bin/env bash
# Load test: serve the site with gunicorn in production mode on the
# in-process reference diary (static files collected into a temporary folder
# first, as a deployment does), and measure the times page and the details
# page with wrk. Prints wrk's report for each page, a summary table and a
# last line `BENCH-RESULT {json}` (read by bench/run_all.py); exits non-zero
# if any answer was not 2xx/3xx or any socket error occurred.
#
#   bench/load.sh                    # 30 s per page
#   DURATION=5s bench/load.sh        # a quick check
#
# Overridable: DURATION (30s), CONNECTIONS (50), WRK_THREADS (2),
# WRK_TIMEOUT (2s, wrk's default: slower answers count as timeouts),
# WORKERS (4), THREADS (1), PORT (first free from 8765).
#
# Needs: `make setup` (run here; quick when already done) and wrk (installed
# from Debian's packages when missing, as root with apt-get).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-50}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_TIMEOUT="${WRK_TIMEOUT:-2s}"
# Workers: this machine has 2 cores, and a request here is CPU-bound Python
# (the view, the in-process reference diary's free-time search, template
# rendering) with next to no waiting: SQLite reads come from the page cache
# and the diary call never leaves the process. Python runs one thread at a
# time per process, so only processes use both cores, and threads add
# nothing to throughput. Default: 4 sync workers (2 per core), 1 thread each.
# Measured here (10 s per page, 50 connections, wrk on the same 2 cores):
#   2 x 1: the most requests/s (about 10-20 % more: one process per core, no
#          switching), but one slow request takes half the capacity away;
#   4 x 1: close to it, with the same tight latency spread (p99 close to p50),
#          and the slack a production server wants: the choice;
#   4 x 2: the same requests/s, but gthread workers keep wrk's keep-alive
#          connections, unevenly spread over the workers, so latency splits
#          in two (p75 about 1.6 x p50 on the times page).
# With a live Physiodiary (network waits) threads would pay; not in this bench.
WORKERS="${WORKERS:-4}"
THREADS="${THREADS:-1}"

PY="$ROOT/.venv/bin/python"
GUNICORN="$ROOT/.venv/bin/gunicorn"

# --- What the bench needs ------------------------------------------------------
echo "== make setup"
SETUP_LOG="$(mktemp)"
if ! make setup >"$SETUP_LOG" 2>&1; then
	cat "$SETUP_LOG" >&2
	rm -f "$SETUP_LOG"
	echo "load.sh: make setup failed" >&2
	exit 1
fi
tail -n 1 "$SETUP_LOG"
rm -f "$SETUP_LOG"

if ! command -v wrk >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "== Installing wrk from Debian's packages"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q wrk >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
	else
		echo "load.sh: wrk is missing and cannot be installed here (needs root and apt-get)." >&2
		echo "Install it (Debian/Ubuntu: apt-get install wrk) and run again." >&2
		exit 1
	fi
fi
for tool in curl "$GUNICORN"; do
	command -v "$tool" >/dev/null || { echo "load.sh: $tool is missing" >&2; exit 1; }
done

# --- Serve the site ------------------------------------------------------------
WORK="$(mktemp -d)"
GUNICORN_PID=""
cleanup() {
	if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
		kill -TERM "$GUNICORN_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$GUNICORN_PID" 2>/dev/null || true
		wait "$GUNICORN_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${PORT:-}" ]; then
	PORT="$("$PY" - <<'PYEOF'
import socket
def free(port):
    with socket.socket() as s:
        # As gunicorn does: a port a previous run left in TIME_WAIT is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return None
        return s.getsockname()[1]
print(free(8765) or free(0))
PYEOF
)"
fi
BASE="http://127.0.0.1:$PORT"

# Production settings on the in-process reference diary. DJANGO_ENV_FILE and
# PHYSIODIARY_API_URL are pinned so that a developer's .env cannot point the
# bench at a live Physiodiary server. Production stores static files with
# WhiteNoise's CompressedManifestStaticFilesStorage, so pages need them
# collected (hashed and compressed) first, as a deployment does: into a
# temporary folder, with the same environment as gunicorn.
SECRET="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
KEY="bench-$("$PY" -c 'import secrets; print(secrets.token_hex(16))')"
RECORD_KEY="$("$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
SITE_ENV=(
	DJANGO_ENV_FILE=/dev/null
	DJANGO_DEBUG=false
	DJANGO_SECRET_KEY="$SECRET"
	DJANGO_STATIC_ROOT="$WORK/static"
	PHYSIODIARY_API_URL=
	PHYSIODIARY_API_KEY="$KEY"
	SANDBOX_API_KEY="$KEY"
	SANDBOX_ENABLED=true
	BOOKING_CONFIRMATION_EMAIL=false
	# Change links on, as by default: a key for their records, and the discard
	# port as the mail server (nothing listens: practice emails wait in the outbox).
	BOOKING_RECORD_KEY="$RECORD_KEY"
	EMAIL_URL=smtp://127.0.0.1:9
	DJANGO_SECURE_SSL_REDIRECT=false
	# Production wants a cache every worker shares: the database's (a table
	# made below), as bench/serving.py does.
	CACHE_URL=dbcache://booking_cache
	BOOKING_SEARCH_RATE_LIMIT=0
	BOOKING_RATE_LIMIT=0
	LOG_LEVEL=WARNING
)

# A copy of the developer's database, never the database itself: the pages write
# to the cache table in it, and the benchmarks after this one copy db.sqlite3.
"$PY" - "$WORK/db.sqlite3" <<'PYEOF'
import sqlite3
import sys

with sqlite3.connect("db.sqlite3") as source, sqlite3.connect(sys.argv[1]) as copy:
    source.backup(copy)
    copy.execute("DROP TABLE IF EXISTS booking_cache")
PYEOF
SITE_ENV+=(DATABASE_URL="sqlite:///$WORK/db.sqlite3")
env "${SITE_ENV[@]}" "$PY" manage.py createcachetable
echo "== collectstatic into $WORK/static"
if ! env "${SITE_ENV[@]}" "$PY" manage.py collectstatic --noinput -v 0 >"$WORK/collectstatic.log" 2>&1; then
	cat "$WORK/collectstatic.log" >&2
	echo "load.sh: collectstatic failed" >&2
	exit 1
fi

echo "== gunicorn on $BASE: workers=$WORKERS threads=$THREADS"
env "${SITE_ENV[@]}" \
	"$GUNICORN" booking_site.wsgi:application \
	--bind "127.0.0.1:$PORT" \
	--workers "$WORKERS" --threads "$THREADS" \
	--log-level warning \
	>"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!

status=000
for _ in $(seq 100); do # 100 x 0.2 s = 20 s at most
	if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
		cat "$WORK/gunicorn.log" >&2
		echo "load.sh: gunicorn exited at start-up (its log is above)" >&2
		exit 1
	fi
	status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/" || true)"
	[ "$status" != 000 ] && break
	sleep 0.2
done
if [ "$status" != 200 ]; then
	cat "$WORK/gunicorn.log" >&2
	echo "load.sh: $BASE/ answered ${status/000/nothing} within 20 s, not 200" >&2
	exit 1
fi

# --- The pages -------------------------------------------------------------------
mapfile -t URLS < <("$PY" bench/load_urls.py "$BASE")
if [ "${#URLS[@]}" != 2 ]; then
	cat "$WORK/gunicorn.log" >&2
	echo "load.sh: could not find a times page and a details page to measure" >&2
	exit 1
fi
PAGES=(times details)

echo "== wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT, one page after the other"
declare -A RESULT
failed=0
for i in 0 1; do
	page="${PAGES[$i]}"
	url="$BASE${URLS[$i]}"
	echo
	echo "-- $page: $url"
	wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency \
		-s bench/load.lua "$url" | tee "$WORK/wrk-$page.txt"
	line="$(grep '^BENCH ' "$WORK/wrk-$page.txt" || true)"
	if [ -z "$line" ]; then
		echo "load.sh: wrk printed no summary for $page" >&2
		exit 1
	fi
	RESULT[$page]="$line"
done

field() { # field NAME "BENCH a=1 b=2 ..." -> value of NAME
	local name="$1" word
	for word in $2; do
		case "$word" in "$name"=*) echo "${word#*=}"; return ;; esac
	done
}

echo
echo "== Summary (workers=$WORKERS threads=$THREADS, $CONNECTIONS connections, $DURATION per page)"
printf '%-8s %9s %9s %9s %9s %9s %8s %8s  %s\n' \
	page rps p50_ms p75_ms p90_ms p99_ms non-2xx errors statuses
for page in "${PAGES[@]}"; do
	r="${RESULT[$page]}"
	non_ok="$(field non2xx3xx "$r")"
	errors=$(($(field connect "$r") + $(field read "$r") + $(field write "$r") + $(field timeout "$r")))
	printf '%-8s %9s %9s %9s %9s %9s %8s %8s  %s\n' "$page" \
		"$(field rps "$r")" "$(field p50_ms "$r")" "$(field p75_ms "$r")" \
		"$(field p90_ms "$r")" "$(field p99_ms "$r")" "$non_ok" "$errors" "$(field statuses "$r")"
	if [ "$non_ok" != 0 ] || [ "$errors" != 0 ]; then failed=1; fi
done
if [ -s "$WORK/gunicorn.log" ]; then
	echo
	echo "== gunicorn's log (warnings and errors)"
	tail -n 40 "$WORK/gunicorn.log"
fi
if [ "$failed" != 0 ]; then
	echo
	echo "FAIL: some answers were not 2xx/3xx or some sockets failed (target: none)." >&2
else
	echo
	echo "OK: every answer 2xx/3xx, no socket errors."
fi
# One machine-readable line, as the other benchmarks end.
bad=0
for page in "${PAGES[@]}"; do
	r="${RESULT[$page]}"
	bad=$((bad + $(field non2xx3xx "$r") + $(field connect "$r") + $(field read "$r") \
		+ $(field write "$r") + $(field timeout "$r")))
done
figures="\"times page\": \"$(field rps "${RESULT[times]}") req/s, p99 $(field p99_ms "${RESULT[times]}") ms\""
figures+=", \"details page\": \"$(field rps "${RESULT[details]}") req/s, p99 $(field p99_ms "${RESULT[details]}") ms\""
figures+=", \"failed answers\": \"$bad (workers=$WORKERS threads=$THREADS, $CONNECTIONS connections, $DURATION per page)\""
met=true
[ "$failed" = 0 ] || met=false
echo "BENCH-RESULT {\"name\": \"load\", \"figures\": {$figures}, \"targets\": {\"failed answers\": \"0 (non-2xx/3xx or socket errors)\"}, \"met\": $met}"
[ "$failed" = 0 ] || exit 1
