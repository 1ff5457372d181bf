"""The signed token each details form carries instead of a CSRF cookie."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import time

import pytest
from django.core import signing

from bookings import tokens
from bookings.slots import Slot
from bookings.tokens import BadToken, FormToken, issue, read


def slot(staff_id: int, section_id: int, date: str, time: str) -> Slot | None:
    return Slot.from_parts(str(staff_id), str(section_id), date, time)


FREE_TIME = slot(42230, 7323, "20301007", "0915")
ALTERNATIVE = slot(42230, 7323, "20301007", "1000")


def payload_of(token: str) -> dict:
    return signing.loads(token, salt="bookings.details-form")


def test_a_token_round_trips():
    before = int(time.time())
    token = read(issue(FREE_TIME, alternatives=(ALTERNATIVE,)))
    after = time.time()
    assert token.slot == FREE_TIME.key == "20301007-0915-42230-7323"
    assert token.alternatives == ("20301007-1000-42230-7323",)
    assert before <= token.issued.timestamp() <= after
    assert token.issued.tzinfo is not None
    assert token.nonce


def test_a_token_without_alternatives_reads_back_none():
    assert read(issue(FREE_TIME)).alternatives == ()


def test_a_tampered_token_is_refused():
    token = issue(FREE_TIME)
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    with pytest.raises(BadToken):
        read(tampered)


def test_a_token_with_another_free_time_swapped_in_is_refused():
    ours, other = issue(FREE_TIME), issue(slot(1, 2, "20301008", "1000"))
    body, _, signature = ours.rpartition(":")
    other_body = other.rpartition(":")[0]
    with pytest.raises(BadToken):
        read(f"{other_body}:{signature}")
    assert body != other_body


def test_a_token_signed_with_another_salt_is_refused():
    forged = signing.dumps(payload_of(issue(FREE_TIME)), salt="another.form", compress=True)
    with pytest.raises(BadToken):
        read(forged)


def test_a_token_signed_with_another_secret_is_refused():
    forged = signing.dumps(
        payload_of(issue(FREE_TIME)),
        key="not-our-secret-key-at-all",
        salt="bookings.details-form",
        compress=True,
    )
    with pytest.raises(BadToken):
        read(forged)


def test_a_token_is_refused_after_the_secret_key_changes(settings):
    token = issue(FREE_TIME)
    settings.SECRET_KEY = "a-new-secret-key-after-rotation"
    with pytest.raises(BadToken):
        read(token)


@pytest.mark.parametrize("cut", [1, 5, 20])
def test_a_truncated_token_is_refused(cut):
    token = issue(FREE_TIME)
    with pytest.raises(BadToken):
        read(token[:-cut])


@pytest.mark.parametrize(
    "token", ["", "x", "not:a:token", "::::", "\u00e9:\u00e9:\u00e9", "a" * 3000]
)
def test_garbage_is_refused(token):
    with pytest.raises(BadToken):
        read(token)


def test_a_token_of_ours_with_missing_fields_is_refused():
    forged = signing.dumps({"s": 1, "r": 2}, salt="bookings.details-form", compress=True)
    with pytest.raises(BadToken):
        read(forged)


def test_a_token_of_ours_with_fields_of_the_wrong_type_is_refused():
    payload = payload_of(issue(FREE_TIME))
    payload["s"] = "not a number"
    forged = signing.dumps(payload, salt="bookings.details-form", compress=True)
    with pytest.raises(BadToken):
        read(forged)


def issued_seconds_ago(monkeypatch, seconds: int) -> str:
    real = time.time
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: real() - seconds)
        return issue(FREE_TIME)


def test_an_expired_token_is_refused(settings, monkeypatch):
    settings.BOOKING_FORM_MAX_AGE_SECONDS = 600
    token = issued_seconds_ago(monkeypatch, 601 + 5)
    with pytest.raises(BadToken):
        read(token)


def test_a_token_within_its_age_is_accepted(settings, monkeypatch):
    settings.BOOKING_FORM_MAX_AGE_SECONDS = 600
    token = issued_seconds_ago(monkeypatch, 590)
    assert read(token).allows(FREE_TIME)


def test_each_token_has_its_own_nonce():
    first, second = issue(FREE_TIME), issue(FREE_TIME)
    assert first != second
    nonces = {read(issue(FREE_TIME)).nonce for _ in range(20)}
    assert len(nonces) == 20
    assert read(first).nonce != read(second).nonce


def test_allows_the_exact_free_time_it_was_issued_for():
    assert read(issue(FREE_TIME)).allows(FREE_TIME)


@pytest.mark.parametrize(
    "other",
    [
        (42228, 7323, "20301007", "0915"),
        (42230, 7322, "20301007", "0915"),
        (42230, 7323, "20301008", "0915"),
        (42230, 7323, "20301007", "0916"),
    ],
)
def test_allows_no_other_free_time(other):
    assert not read(issue(FREE_TIME)).allows(slot(*other))


def test_offers_only_the_alternatives_it_was_issued_with():
    token = read(issue(FREE_TIME, alternatives=(ALTERNATIVE,)))
    assert token.offers(ALTERNATIVE)
    assert not token.offers(FREE_TIME)
    assert not token.offers(slot(42230, 7323, "20301007", "1045"))


def test_read_for_gives_the_token_only_for_its_own_free_time():
    token = issue(FREE_TIME)
    assert tokens.read_for(token, FREE_TIME).nonce == read(token).nonce
    assert tokens.read_for(token, ALTERNATIVE) is None
    assert tokens.read_for("not a token", FREE_TIME) is None


def test_the_token_carries_only_the_free_time_alternatives_issue_time_and_nonce():
    token = issue(FREE_TIME, alternatives=(ALTERNATIVE,))
    assert set(payload_of(token)) == {"s", "r", "d", "t", "a", "i", "n"}
    assert {f.name for f in dataclasses.fields(FormToken)} == {
        "slot",
        "alternatives",
        "issued",
        "nonce",
    }


def test_the_payload_is_the_one_earlier_versions_wrote():
    # Forms open while a practice upgrades still book: same fields, same values.
    payload = payload_of(issue(FREE_TIME, alternatives=(ALTERNATIVE,)))
    assert (payload["s"], payload["r"], payload["d"], payload["t"]) == (
        42230,
        7323,
        "20301007",
        "0915",
    )
    assert payload["a"] == ["20301007-1000-42230-7323"]


def test_no_patient_detail_can_be_put_in_a_token():
    parameters = set(inspect.signature(tokens.issue).parameters)
    assert parameters == {"slot", "alternatives"}
    with pytest.raises(TypeError):
        issue(FREE_TIME, name="Fred Smith")  # type: ignore[call-arg]


def test_issued_is_a_utc_datetime():
    assert read(issue(FREE_TIME)).issued.utcoffset() == dt.timedelta(0)
