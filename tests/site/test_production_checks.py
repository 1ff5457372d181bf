"""`check --deploy` reports as errors what the settings refuse in production.

The settings stop a production site at start-up for each of these
(tests/deploy/test_settings.py); a settings object that has one all the same
(changed after start-up, as these tests change it) is an error here too.
"""

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import ERROR, WARNING, run_checks

PRODUCTION_MAIL = "django.core.mail.backends.smtp.EmailBackend"


class StandInForRedis(LocMemCache):
    """A backend the check does not know as per-process: Redis, as far as it can tell.

    (Redis itself is not set here: the tests' cache is cleared after each.)
    """


SHARED = {"default": {"BACKEND": f"{__name__}.StandInForRedis"}}


def found(level: int | None = None) -> set[str]:
    """The ids `check --deploy` reports, at `level` only if given."""
    messages = run_checks(include_deployment_checks=True)
    return {m.id for m in messages if level is None or m.level == level}


@pytest.fixture
def production(settings):
    """Settings a production site may start with; each test spoils one."""
    settings.DEBUG = False
    settings.CACHES = SHARED
    settings.EMAIL_BACKEND = PRODUCTION_MAIL
    settings.BOOKING_CONFIRMATION_EMAIL = True
    settings.SECRET_KEY = "k3Y-" + "x9Q!z" * 12
    settings.PHYSIODIARY_API_KEY = "a-key"
    settings.SANDBOX_API_KEY = ""
    settings.SANDBOX_HTTP = False
    return settings


OURS = {"bookings.E002", "bookings.E003", "bookings.E004", "sandbox.E001", "sandbox.E002"}


def test_production_settings_have_none_of_these_errors(production):
    assert found(ERROR) & OURS == set()


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ],
)
def test_a_cache_the_processes_do_not_share_is_an_error_in_production(
    production, backend, tmp_path
):
    production.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}
    assert "bookings.E002" in found(ERROR)
    assert "bookings.W001" not in found()


def test_it_is_a_warning_in_development(production):
    production.DEBUG = True
    production.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "bookings.W001" in found(WARNING)
    assert "bookings.E002" not in found()


@pytest.mark.parametrize("kind", ["console", "filebased", "locmem", "dummy"])
def test_mail_that_reaches_no_patient_is_an_error_in_production(production, kind):
    production.EMAIL_BACKEND = f"django.core.mail.backends.{kind}.EmailBackend"
    assert "bookings.E003" in found(ERROR)
    production.BOOKING_CONFIRMATION_EMAIL = False  # then no email is sent: any backend will do
    assert "bookings.E003" not in found()


def test_the_development_secret_key_is_an_error_in_production(production):
    production.SECRET_KEY = "django-insecure-development-only-secret-key-change-me"
    assert "bookings.E004" in found(ERROR)


@pytest.mark.parametrize("name", ["PHYSIODIARY_API_KEY", "SANDBOX_API_KEY"])
def test_the_reference_diarys_public_key_is_an_error_in_production(production, name):
    setattr(production, name, "reference-diary-key")
    assert "sandbox.E001" in found(ERROR)


def test_the_reference_diary_over_http_without_a_key_is_an_error_in_production(production):
    production.SANDBOX_ENABLED = True
    production.SANDBOX_HTTP = True
    assert "sandbox.E002" in found(ERROR)
    production.SANDBOX_API_KEY = "s3cret-" + "x" * 30
    assert "sandbox.E002" not in found()


def test_none_of_them_is_reported_in_development(production):
    production.DEBUG = True
    production.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    production.SECRET_KEY = "django-insecure-development-only-secret-key-change-me"
    production.PHYSIODIARY_API_KEY = production.SANDBOX_API_KEY = "reference-diary-key"
    assert found(ERROR) & OURS == set()
