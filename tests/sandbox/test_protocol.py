from datetime import UTC, datetime

import pytest

from sandbox.protocol import java_timestamp
from sandbox.refusals import ErrorCode


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # The vendor's example; 14:25 UTC is 15:25 in London in October.
        (datetime(2017, 10, 7, 14, 25, 7, tzinfo=UTC), "Oct 7, 2017 3:25:07 PM"),
        (datetime(2030, 1, 15, 0, 5, 0, tzinfo=UTC), "Jan 15, 2030 12:05:00 AM"),
        (datetime(2030, 12, 31, 12, 0, 59, tzinfo=UTC), "Dec 31, 2030 12:00:59 PM"),
        (datetime(2030, 6, 3, 10, 59, 9, tzinfo=UTC), "Jun 3, 2030 11:59:09 AM"),
    ],
)
def test_timestamps_are_written_as_the_vendors_java_server_writes_them(moment, expected):
    assert java_timestamp(moment) == expected


def test_error_codes_carry_the_vendors_names_and_numbers():
    assert {code.name: code.value for code in ErrorCode} == {
        "NO_ERROR": 0,
        "INVALID_ACTION": 1,
        "INVALID_API_KEY": 2,
        "INVALID_SECTION_ID": 3,
        "INVALID_STAFF_ID": 4,
        "INVALID_NUM_DAYS": 5,
        "INVALID_DATE": 6,
        "INVALID_TIME": 7,
        "INVALID_NAME": 8,
        "INVALID_PHONE": 9,
        "INVALID_EMAIL": 10,
        "INVALID_DESCRIPTION": 11,
        "ALREADY_BOOKED": 12,
        "UNKNOWN_ERROR": 13,
    }
