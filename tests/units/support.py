"""Values the unit tests share."""

LIVE_URL = "https://api456.physiodiary.example:1234/api/request"
LIVE_KEY = "live-key-must-never-leak"
