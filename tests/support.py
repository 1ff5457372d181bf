"""Values the tests share: the live Physiodiary server that the site and unit tests fake
(the `live_api` fixture, tests/conftest.py)."""

LIVE_URL = "https://api456.physiodiary.example:1234/api/request"
LIVE_KEY = "live-key"
