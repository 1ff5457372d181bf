import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from threading import Barrier
from typing import Any

import requests
from django.http import HttpResponse
from django.urls import reverse_lazy

API = reverse_lazy("sandbox:api-request")
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


def book_at_once(url: str, wanted: list[tuple[int, int, date, str]]) -> list[dict[str, Any]]:
    """Each (staffId, sectionId, day, HHMM) booked over real HTTP by its own patient,
    all released together by a barrier; the answers, in the same order.

    Patient n is "Patient n", so a test can tell whose booking was confirmed.
    """
    start_together = Barrier(len(wanted))

    def book(patient: int) -> dict[str, Any]:
        staff_id, section_id, day, at = wanted[patient]
        body = {
            "action": "book",
            "apiKey": KEY,
            "date": f"{day:%Y%m%d}",
            "time": at,
            "sectionId": section_id,
            "staffId": staff_id,
            "name": f"Patient {patient}",
            "phone": f"0161 496 {patient:04d}",
            "email": f"patient{patient}@example.com",
            "desc": "",
        }
        with requests.Session() as session:
            session.trust_env = False  # no proxy between us and the live server
            start_together.wait(timeout=30)
            response = session.post(url + API, json=body, timeout=60)
        response.raise_for_status()
        return response.json()

    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        return list(pool.map(book, range(len(wanted))))


def confirmed_and_refused(answers: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """The confirmations, and the refusals for a time already taken (error 12)."""
    confirmed = [a for a in answers if a.get("result") == "Confirmed"]
    refused = [a for a in answers if [e["error"] for e in a.get("errors", [])] == [12]]
    return confirmed, refused
