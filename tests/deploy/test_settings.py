import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from ..environment import start_django

ROOT = Path(__file__).resolve().parents[2]
SECRET = {"DJANGO_SECRET_KEY": "s" * 50}
LIVE = {"PHYSIODIARY_API_URL": "https://diary.example:1234/api/request"}
MAIL = {"EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587"}
SHARED_CACHE = {"CACHE_URL": "dbcache://booking_cache"}
RECORD_KEY = {"BOOKING_RECORD_KEY": Fernet.generate_key().decode()}


def test_it_starts_in_development_with_nothing_but_debug_on():
    result = start_django(
        code="from django.conf import settings as s; print(s.SANDBOX_ENABLED)", DJANGO_DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"PHYSIODIARY_API_KEY": "k", **LIVE}, "DJANGO_SECRET_KEY"),
        ({**SECRET, **LIVE}, "PHYSIODIARY_API_KEY"),
        ({**SECRET, "SANDBOX_ENABLED": "true"}, "PHYSIODIARY_API_KEY"),
        # A forgotten URL must not send a real practice's patients to the demo diary.
        ({**SECRET, "PHYSIODIARY_API_KEY": "k", **MAIL}, "PHYSIODIARY_API_URL"),
        # The console backend would print patients' details into the log.
        ({**SECRET, **LIVE, **RECORD_KEY, "PHYSIODIARY_API_KEY": "k"}, "EMAIL_URL"),
    ],
)
def test_it_refuses_to_start_without_debug_and_names_the_missing_variable(env, missing):
    result = start_django(DJANGO_DEBUG="false", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the environment variable {missing}" in result.stderr


# --- Production fails closed: each refusal names its variable ---------------------

#: A production configuration that starts, spoilt one setting at a time below.
STARTS = {
    "DJANGO_DEBUG": "false",
    **SECRET,
    **LIVE,
    **MAIL,
    **SHARED_CACHE,
    **RECORD_KEY,
    "PHYSIODIARY_API_KEY": "k",
}
DEBUG_ON = "from django.conf import settings as s; print(s.DEBUG)"


def start_as_a_server_would(*, code: str = DEBUG_ON, **env: str) -> subprocess.CompletedProcess:
    """Django started with `env` and nothing else: no DJANGO_DEBUG unless `env` has it."""
    return start_django(code=code, development=False, **env)


def refused_naming(variable: str, result: subprocess.CompletedProcess) -> bool:
    """Whether start-up stopped on the settings' one-line refusal naming `variable`."""
    return result.returncode != 0 and (
        f"ImproperlyConfigured: Set the environment variable {variable}:" in result.stderr
    )


def test_debug_is_off_unless_the_environment_turns_it_on():
    production = {key: value for key, value in STARTS.items() if key != "DJANGO_DEBUG"}
    result = start_as_a_server_would(**production)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_server_given_only_the_live_url_key_and_hosts_refuses_to_start():
    # The review's gunicorn ran like this in debug, with the development key.
    result = start_as_a_server_would(
        **LIVE, PHYSIODIARY_API_KEY="k", DJANGO_ALLOWED_HOSTS="booking.example"
    )
    assert refused_naming("DJANGO_SECRET_KEY", result), result.stderr


def test_it_refuses_the_development_secret_key_in_production(settings):
    assert settings.SECRET_KEY.startswith("django-insecure-")  # this run's, in development
    result = start_django(**{**STARTS, "DJANGO_SECRET_KEY": settings.SECRET_KEY})
    assert refused_naming("DJANGO_SECRET_KEY", result), result.stderr


@pytest.mark.parametrize(
    "cache_url", [None, "locmemcache://", "dummycache://", "filecache:///tmp/booking-cache"]
)
def test_it_refuses_a_cache_the_worker_processes_do_not_share_in_production(cache_url):
    env = {key: value for key, value in STARTS.items() if key != "CACHE_URL"}  # None: the default
    result = start_django(**env, **({"CACHE_URL": cache_url} if cache_url else {}))
    assert refused_naming("CACHE_URL", result), result.stderr


@pytest.mark.parametrize(
    "email_url", ["consolemail://", "filemail:///tmp/booking-mail", "memorymail://", "dummymail://"]
)
def test_it_refuses_mail_that_reaches_no_patient_in_production(email_url):
    result = start_django(**{**STARTS, "EMAIL_URL": email_url})
    assert refused_naming("EMAIL_URL", result), result.stderr


def test_any_mail_backend_will_do_where_the_site_sends_no_email():
    quiet = {
        "EMAIL_URL": "consolemail://",
        "BOOKING_CONFIRMATION_EMAIL": "false",
        "BOOKING_CHANGE_LINKS": "false",
    }
    result = start_django(**{**STARTS, **quiet})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "diary",
    [LIVE, {"PHYSIODIARY_API_URL": "", "SANDBOX_ENABLED": "true"}],
    ids=["live", "reference-diary-demo"],
)
def test_it_refuses_the_reference_diarys_public_key_as_the_api_key_in_production(diary):
    result = start_django(**{**STARTS, **diary, "PHYSIODIARY_API_KEY": "reference-diary-key"})
    assert refused_naming("PHYSIODIARY_API_KEY", result), result.stderr


def test_it_refuses_the_public_key_as_the_reference_diarys_own_in_production():
    result = start_django(**{**STARTS, "SANDBOX_API_KEY": "reference-diary-key"})
    assert refused_naming("SANDBOX_API_KEY", result), result.stderr


WITH_REFERENCE_DIARY = {"SANDBOX_ENABLED": "true"}
KEY_OF = "from django.conf import settings as s; print(repr(s.SANDBOX_API_KEY))"


def test_beside_a_live_diary_the_reference_diary_has_no_key_in_production():
    result = start_django(**STARTS, **WITH_REFERENCE_DIARY, code=KEY_OF)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "''"  # was the public 'reference-diary-key'
    in_development = {**LIVE, **WITH_REFERENCE_DIARY, "PHYSIODIARY_API_KEY": "k"}
    result = start_django(**in_development, DJANGO_DEBUG="true", code=KEY_OF)
    assert result.stdout.strip() == "'reference-diary-key'"


def test_the_reference_diary_served_over_http_needs_a_key_of_its_own_in_production():
    over_http = {**STARTS, **WITH_REFERENCE_DIARY, "SANDBOX_HTTP": "true"}
    assert refused_naming("SANDBOX_API_KEY", start_django(**over_http))
    keyed = start_django(**over_http, SANDBOX_API_KEY="s3cret-" + "x" * 30, code=KEY_OF)
    assert keyed.returncode == 0, keyed.stderr


def test_it_never_sends_the_reference_diarys_key_to_a_live_server():
    result = start_django(**LIVE)
    assert "Set the environment variable PHYSIODIARY_API_KEY" in result.stderr


def test_it_refuses_to_run_with_no_diary_at_all():
    result = start_django(SANDBOX_ENABLED="false")
    assert "Set the environment variable PHYSIODIARY_API_URL" in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {**SECRET, **LIVE, **MAIL, **RECORD_KEY, "PHYSIODIARY_API_KEY": "k"},
        {
            **SECRET,
            **LIVE,
            "PHYSIODIARY_API_KEY": "k",
            "BOOKING_CONFIRMATION_EMAIL": "false",
            "BOOKING_CHANGE_LINKS": "false",  # then no mail at all, and nothing to seal
        },
        {**SECRET, **MAIL, **RECORD_KEY, "SANDBOX_ENABLED": "true", "PHYSIODIARY_API_KEY": "demo"},
    ],
)
def test_it_starts_without_debug_when_production_is_configured(env):
    result = start_django(DJANGO_DEBUG="false", **SHARED_CACHE, **env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PHYSIODIARY_CONNECT_TIMEOUT", "0"),
        ("PHYSIODIARY_READ_TIMEOUT", "-1"),
        ("PHYSIODIARY_READ_TIMEOUT", "nan"),
        ("PHYSIODIARY_CONNECT_TIMEOUT", ""),
        ("PHYSIODIARY_READ_RETRIES", "-1"),
        ("PHYSIODIARY_READ_RETRIES", "1.5"),
        ("PHYSIODIARY_RETRY_BACKOFF", "soon"),
        ("PHYSIODIARY_LIST_CACHE_SECONDS", "-5"),
        ("SANDBOX_LATENCY_MS", "fast"),
        ("BOOKING_CONFIRMATION_SECONDS", "0"),
        ("BOOKING_FORM_MAX_AGE_SECONDS", "0"),
        ("BOOKING_HORIZON_DAYS", "0"),
        ("EMAIL_TIMEOUT", "0"),
    ],
)
def test_it_refuses_a_number_that_makes_no_sense_and_names_it(name, value):
    result = start_django(**{name: value})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name} must be" in result.stderr


def test_it_reads_a_dotenv_file_but_lets_the_environment_win(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("PRACTICE_NAME=Hill Street Physio\nPRACTICE_PHONE=01632 000 000\n")
    result = start_django(
        code="from django.conf import settings as s; print(s.PRACTICE_NAME, '|', s.PRACTICE_PHONE)",
        DJANGO_ENV_FILE=str(dotenv),
        PRACTICE_PHONE="01632 999 999",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Hill Street Physio | 01632 999 999"


def test_it_defaults_to_the_practices_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en-gb"


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "CACHE_URL": "dbcache://booking_cache",  # shared by every worker process
    "DJANGO_SECRET_KEY": "k3Y-" + "x9Q!z" * 12,  # long and varied, as check --deploy wants
    "PHYSIODIARY_API_KEY": "a-key",
    **LIVE,
    **MAIL,
    **RECORD_KEY,
}


def test_production_settings_pass_check_deploy_with_no_warning():
    result = start_django(
        code="from django.core.management import call_command; call_command('check', deploy=True)",
        **PRODUCTION,
        # Behind a proxy that ends TLS, as docs/deploy.md's minimal .env has it
        # (without it: booking_site.E001, tests/deploy/test_same_origin_behind_tls.py).
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout + result.stderr


def test_production_defaults_are_the_secure_ones():
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD)"
    )
    result = start_django(code=code, **PRODUCTION)
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True", "True"]


def test_a_tls_proxys_header_is_trusted_only_when_configured():
    code = (
        "from django.conf import settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    assert start_django(code=code, **PRODUCTION).stdout.strip() == "None"
    result = start_django(
        code=code, **PRODUCTION, DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"
    )
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.parametrize(
    "variable",
    [
        "BOOKING_RATE_LIMIT",
        "BOOKING_FORM_ERROR_RATE_LIMIT",
        "BOOKING_SEARCH_RATE_LIMIT",
        "PHYSIODIARY_BREAKER_FAILURES",
    ],
)
def test_the_new_limits_refuse_nonsense(variable):
    result = start_django(**{variable: "-1"})
    assert result.returncode != 0
    assert f"{variable} must be 0 or more" in result.stderr


def test_production_serves_hashed_compressed_static_files_for_a_year_unframed(tmp_path):
    """collectstatic, then the page's own links through WhiteNoise, as in production."""
    code = """
import gzip, re
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
call_command("createcachetable")
client = Client()
page = client.get("/", secure=True, headers={"accept-encoding": "gzip"})
links = re.findall(r'(?:href|src)="(/static/[^"]+)"', gzip.decompress(page.content).decode())
print(page.status_code, page.get("Content-Encoding"), len(links))
for link in links:
    answer = client.get(link, secure=True, headers={"accept-encoding": "br, gzip"})
    print(link, answer.status_code, answer.get("Content-Encoding"), answer["Cache-Control"])
    print(answer["X-Frame-Options"], answer["Content-Security-Policy"])
"""
    environment = {
        **PRODUCTION,
        "SANDBOX_ENABLED": "true",
        "PHYSIODIARY_API_URL": "",
        "DJANGO_STATIC_ROOT": str(tmp_path),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        # A copy of the demo diary's database, with PRODUCTION's cache table made in it.
        "DATABASE_URL": f"sqlite:///{shutil.copyfile(ROOT / 'db.sqlite3', tmp_path / 'db')}",
    }
    result = start_django(code=code, **environment)
    assert result.returncode == 0, result.stderr
    first, *files = result.stdout.splitlines()
    assert first.split() == ["200", "gzip", "2"]  # the page compressed; 1 style sheet, 1 script
    for line, policy in zip(files[::2], files[1::2], strict=True):
        # No site may frame a static file either (WhiteNoise skips the framing middleware).
        assert policy.startswith("DENY ") and "frame-ancestors 'none'" in policy
        link, status, encoding, cache_control = line.split(" ", 3)
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", link), link  # named by their content
        assert (status, encoding) == ("200", "br")
        assert "max-age=315360000" in cache_control
        assert "immutable" in cache_control


def test_check_deploy_in_development_warns_of_a_cache_each_process_keeps_to_itself():
    # In production the settings refuse it (above), and the check says so as
    # an error (tests/site/test_production_checks.py).
    environment = {**PRODUCTION, "CACHE_URL": "locmemcache://", "DJANGO_DEBUG": "true"}
    code = "from django.core.management import call_command; call_command('check', deploy=True)"
    result = start_django(code=code, **environment)
    assert "bookings.W001" in result.stderr + result.stdout
    assert "not shared between worker processes" in result.stderr + result.stdout


def test_check_deploy_warns_of_a_diary_reached_without_tls():
    environment = {**PRODUCTION, "PHYSIODIARY_API_URL": "http://diary.example/api/request"}
    code = "from django.core.management import call_command; call_command('check', deploy=True)"
    result = start_django(code=code, **environment)
    assert "bookings.W003" in result.stderr + result.stdout
