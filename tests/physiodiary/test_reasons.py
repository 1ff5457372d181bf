"""Why a call failed, in plain words: one table for messages, health checks and diagnoses."""

import pytest

from physiodiary import REASONS, Reason, describe


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_has_words(reason):
    assert describe(reason)
    assert "{" not in describe(reason)


def test_it_names_the_read_timeout_and_the_proxy_as_the_reader_knows_them():
    assert describe(Reason.TIMEOUT) == "no answer within the read timeout"
    assert describe(Reason.TIMEOUT, read_timeout="READ_TIMEOUT") == "no answer within READ_TIMEOUT"
    assert describe(Reason.PROXY) == "the proxy refused or failed the connection"
    assert describe(Reason.PROXY, proxy="the proxy in PROXY").startswith("the proxy in PROXY ")


def test_a_bare_404_names_both_of_its_possible_causes():
    words = describe(Reason.NOT_AUTHORISED)
    assert "API key" in words
    assert "IP address" in words


def test_the_table_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        REASONS[Reason.TIMEOUT] = "changed"  # type: ignore[index]
