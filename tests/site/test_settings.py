import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start_django(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, as a web server would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PHYSIODIARY_"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="booking_site.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_starts_in_debug_with_no_configuration_at_all():
    result = start_django()
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"PHYSIODIARY_API_KEY": "k"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "s" * 50}, "PHYSIODIARY_API_KEY"),
        (
            {"DJANGO_SECRET_KEY": "s" * 50, "PHYSIODIARY_API_URL": "https://diary.example/api"},
            "PHYSIODIARY_API_KEY",
        ),
    ],
)
def test_it_refuses_to_start_without_debug_and_names_the_missing_variable(env, missing):
    result = start_django(DJANGO_DEBUG="false", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the environment variable {missing}" in result.stderr


def test_it_starts_without_debug_when_both_keys_are_set():
    result = start_django(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="s" * 50, PHYSIODIARY_API_KEY="k")
    assert result.returncode == 0, result.stderr


def test_it_defaults_to_the_practices_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en-gb"
