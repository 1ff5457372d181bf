import re
from pathlib import Path

import pytest

from ..environment import start_django

ROOT = Path(__file__).resolve().parents[2]
SECRET = {"DJANGO_SECRET_KEY": "s" * 50}
LIVE = {"PHYSIODIARY_API_URL": "https://diary.example:1234/api/request"}
MAIL = {"EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587"}


def test_it_starts_in_debug_with_no_configuration_at_all():
    result = start_django(code="from django.conf import settings as s; print(s.SANDBOX_ENABLED)")
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
        ({**SECRET, **LIVE, "PHYSIODIARY_API_KEY": "k"}, "EMAIL_URL"),
    ],
)
def test_it_refuses_to_start_without_debug_and_names_the_missing_variable(env, missing):
    result = start_django(DJANGO_DEBUG="false", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the environment variable {missing}" in result.stderr


def test_it_never_sends_the_reference_diarys_key_to_a_live_server():
    result = start_django(**LIVE)
    assert "Set the environment variable PHYSIODIARY_API_KEY" in result.stderr


def test_it_refuses_to_run_with_no_diary_at_all():
    result = start_django(SANDBOX_ENABLED="false")
    assert "Set the environment variable PHYSIODIARY_API_URL" in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {**SECRET, **LIVE, **MAIL, "PHYSIODIARY_API_KEY": "k"},
        {**SECRET, **LIVE, "PHYSIODIARY_API_KEY": "k", "BOOKING_CONFIRMATION_EMAIL": "false"},
        {**SECRET, **MAIL, "SANDBOX_ENABLED": "true", "PHYSIODIARY_API_KEY": "demo"},
    ],
)
def test_it_starts_without_debug_when_production_is_configured(env):
    result = start_django(DJANGO_DEBUG="false", **env)
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
}


def test_production_settings_pass_check_deploy_with_no_warning():
    result = start_django(
        code="from django.core.management import call_command; call_command('check', deploy=True)",
        **PRODUCTION,
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
    ["BOOKING_RATE_LIMIT", "BOOKING_SEARCH_RATE_LIMIT", "PHYSIODIARY_BREAKER_FAILURES"],
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
        "CACHE_URL": "locmemcache://",
        "DATABASE_URL": f"sqlite:///{ROOT / 'db.sqlite3'}",
    }
    result = start_django(code=code, **environment)
    assert result.returncode == 0, result.stderr
    first, *files = result.stdout.splitlines()
    assert first.split() == ["200", "gzip", "3"]  # the page compressed; 2 style sheets, 1 script
    for line, policy in zip(files[::2], files[1::2], strict=True):
        # No site may frame a static file either (WhiteNoise skips the framing middleware).
        assert policy.startswith("DENY ") and "frame-ancestors 'none'" in policy
        link, status, encoding, cache_control = line.split(" ", 3)
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", link), link  # named by their content
        assert (status, encoding) == ("200", "br")
        assert "max-age=315360000" in cache_control
        assert "immutable" in cache_control


def test_check_deploy_warns_of_a_cache_each_process_keeps_to_itself():
    environment = {**PRODUCTION, "CACHE_URL": "locmemcache://"}
    code = "from django.core.management import call_command; call_command('check', deploy=True)"
    result = start_django(code=code, **environment)
    assert "bookings.W001" in result.stderr + result.stdout
    assert "not shared between worker processes" in result.stderr + result.stdout


def test_check_deploy_warns_of_a_diary_reached_without_tls():
    environment = {**PRODUCTION, "PHYSIODIARY_API_URL": "http://diary.example/api/request"}
    code = "from django.core.management import call_command; call_command('check', deploy=True)"
    result = start_django(code=code, **environment)
    assert "bookings.W003" in result.stderr + result.stdout
