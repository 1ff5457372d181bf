"""The configuration the test run's own process imports the settings with.

DJANGO_DEBUG defaults to false, for production's sake, and the reference
diary's HTTP route is off unless SANDBOX_HTTP is on; the tests are written
for development's settings, and call that route (the test client, the live
server). So this sets both, and points DJANGO_ENV_FILE at an empty file: a
developer's `.env` (which `make run` writes) or exported variables must not
change what the tests see, and CI's fresh clone has no `.env` at all.

pytest loads this module as a plugin (pyproject.toml: `-p tests.development`,
importable through `pythonpath`) before any hook runs. A conftest.py would be
too late: pytest-django imports the settings in `pytest_load_initial_conftests`,
before pytest reads the first conftest. Tests that start Django in a process
of their own give it a whole environment instead (tests/environment.py).
"""

import os

#: What the run's process starts Django with, whatever the shell says.
DEVELOPMENT = {
    "DJANGO_DEBUG": "true",
    "SANDBOX_HTTP": "true",
    "DJANGO_ENV_FILE": os.devnull,
}

os.environ.update(DEVELOPMENT)
