import json
import re
from datetime import UTC, datetime
from typing import Any

from django.http import HttpResponse

API = "/sandbox/api/request"
KEY = "test-key"
# Monday 3 June 2030, 10:00 in London (British Summer Time): a clock an hour
# off UTC, so a test catches free times computed in the wrong time zone.
NOW = datetime(2030, 6, 3, 9, 0, tzinfo=UTC)
TODAY = "20300603"
TOMORROW = "20300604"
JAVA_TIMESTAMP = re.compile(
    r"[A-Z][a-z]{2} [0-9]{1,2}, [0-9]{4} [0-9]{1,2}:[0-9]{2}:[0-9]{2} [AP]M"
)


def errors_of(response: HttpResponse, action: str) -> list[tuple[int, str, str]]:
    """The (code, fieldName, message) of an error answer, after checking its shape."""
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert list(answer) == ["errors", "timestamp", "numErrors", "action"]
    assert answer["numErrors"] == len(answer["errors"]) > 0
    assert answer["action"] == action
    assert JAVA_TIMESTAMP.fullmatch(answer["timestamp"])
    for error in answer["errors"]:
        assert list(error) == ["error", "fieldName", "message"]
    return [(e["error"], e["fieldName"], e["message"]) for e in answer["errors"]]


def answer_of(response: HttpResponse) -> dict[str, Any]:
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert "errors" not in answer, answer
    return answer
