"""The diary's `errors` answers become Rejected; its bare 404 becomes NotAuthorised."""

import logging
import traceback

import pytest

from physiodiary import ApiError, ErrorCode, NotAuthorised, Rejected, UnknownOutcome

from ..client.support import ACTIONS, API_KEY, VENDOR_BOOKING, VENDOR_URL, answer, recorded_json


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("code", range(1, 14))
def test_it_raises_rejected_keeping_the_code_field_and_message(code, action, mocked, client):
    answer(mocked, f"error-{code:02d}.json")
    expected = recorded_json(f"error-{code:02d}.json")["errors"][0]

    with pytest.raises(Rejected) as raised:
        ACTIONS[action](client)

    assert raised.value.errors == (ApiError(code, expected["fieldName"], expected["message"]),)
    assert raised.value.codes == (code,)
    assert raised.value.errors[0].kind is ErrorCode(code)
    assert raised.value.action == action
    assert raised.value.http_status == 200
    assert raised.value.reason == "rejected"


@pytest.mark.parametrize("action", ACTIONS)
def test_it_does_not_retry_a_rejected_request(action, mocked, client, sleeps):
    answer(mocked, "error-13.json")

    with pytest.raises(Rejected):
        ACTIONS[action](client)

    assert len(mocked.calls) == 1
    assert sleeps == []


def test_it_keeps_every_error_when_several_come_at_once(mocked, client):
    answer(mocked, "book-errors-4-8-9.json")

    with pytest.raises(Rejected) as raised:
        client.book(**{**VENDOR_BOOKING, "practitioner_id": 0, "name": "", "phone": ""})

    assert raised.value.errors == (
        ApiError(4, "staffId", "Is zero or negative."),
        ApiError(8, "name", "Must not be empty"),
        ApiError(9, "phone", "Must not be empty"),
    )
    assert raised.value.codes == (4, 8, 9)
    assert "4 staffId: Is zero or negative." in str(raised.value)
    assert "9 phone: Must not be empty" in str(raised.value)


def test_it_reads_the_documents_already_booked_answer(mocked, client):
    answer(mocked, "book-error-12.json")

    with pytest.raises(Rejected) as raised:
        client.book(**VENDOR_BOOKING)

    assert not isinstance(raised.value, UnknownOutcome)
    assert raised.value.errors == (ApiError(12, "booking", "Date/time/section is unavailable."),)
    assert raised.value.errors[0].kind is ErrorCode.ALREADY_BOOKED


def test_it_keeps_an_error_code_the_document_does_not_list(mocked, client):
    mocked.post(
        VENDOR_URL,
        json={
            "errors": [{"error": 99, "fieldName": "desc", "message": "Something new."}],
            "timestamp": "Oct 7, 2017 3:25:07 PM",
            "numErrors": 1,
            "action": "book",
        },
    )

    with pytest.raises(Rejected) as raised:
        client.book(**VENDOR_BOOKING)

    assert raised.value.errors == (ApiError(99, "desc", "Something new."),)
    assert raised.value.errors[0].kind is None


def test_it_keeps_an_error_without_field_or_message_as_empty_text(mocked, client):
    mocked.post(VENDOR_URL, json={"errors": [{"error": 13}, {"error": 1, "fieldName": None}]})

    with pytest.raises(Rejected) as raised:
        client.practitioners()

    assert raised.value.errors == (ApiError(13, "", ""), ApiError(1, "", ""))
    assert "13 -: " in str(raised.value)


@pytest.mark.parametrize("action", ACTIONS)
def test_it_raises_not_authorised_on_a_bare_404_without_retrying(action, mocked, client, sleeps):
    mocked.post(VENDOR_URL, status=404, body="")

    with pytest.raises(NotAuthorised) as raised:
        ACTIONS[action](client)

    assert raised.value.http_status == 404
    assert raised.value.action == action
    assert raised.value.reason == "not-authorised"
    assert "API key" in str(raised.value)
    assert "IP address" in str(raised.value)
    assert len(mocked.calls) == 1
    assert sleeps == []


def test_it_raises_not_authorised_on_the_404_page_a_server_may_send(mocked, client):
    mocked.post(VENDOR_URL, status=404, body="<html><h1>Not Found</h1></html>")

    with pytest.raises(NotAuthorised):
        client.rooms()


def test_it_logs_an_error_naming_the_key_and_the_registered_ip_on_a_404(mocked, client, caplog):
    mocked.post(VENDOR_URL, status=404, body="")
    caplog.set_level(logging.INFO, logger="physiodiary")

    with pytest.raises(NotAuthorised):
        client.practitioners()

    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    line = errors[0].getMessage()
    assert "staffList" in line
    assert "404" in line
    # Whoever reads the log must learn the two possible causes.
    assert "api key" in line.lower()
    assert "ip address" in line.lower()
    assert API_KEY not in caplog.text


def test_it_logs_a_rejection_as_information_not_as_an_error(mocked, client, caplog):
    answer(mocked, "book-errors-4-8-9.json")
    caplog.set_level(logging.INFO, logger="physiodiary")

    with pytest.raises(Rejected):
        client.book(**VENDOR_BOOKING)

    (record,) = caplog.records
    assert record.levelno == logging.INFO
    assert "action=book" in record.getMessage()
    assert "outcome=rejected codes=4,8,9" in record.getMessage()


def test_it_keeps_the_key_out_of_rejections_and_refusals(mocked, client, caplog):
    caplog.set_level(logging.DEBUG)
    answer(mocked, "book-errors-4-8-9.json")
    mocked.post(VENDOR_URL, status=404, body="")
    raised = []

    for call in (lambda: client.book(**VENDOR_BOOKING), client.practitioners):
        with pytest.raises((Rejected, NotAuthorised)) as error:
            call()
        raised.append(error.value)

    for error in raised:
        for text in (str(error), repr(error), "".join(traceback.format_exception(error))):
            assert API_KEY not in text
    assert API_KEY not in caplog.text


@pytest.mark.parametrize("status", [400, 422, 500])
@pytest.mark.parametrize("action", ACTIONS)
def test_it_honours_an_error_list_whatever_the_http_status(status, action, mocked, client):
    # The document never says which status an error answer comes with.
    mocked.post(VENDOR_URL, status=status, json=recorded_json("book-error-12.json"))

    with pytest.raises(Rejected) as raised:
        ACTIONS[action](client)

    assert raised.value.codes == (12,)
    assert raised.value.http_status == status
    assert len(mocked.calls) == 1
