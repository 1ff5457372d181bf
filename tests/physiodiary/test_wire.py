"""The API's date and time formats: written as the document shows, read strictly."""

import datetime as dt

import pytest

from physiodiary import format_date, format_time, read_date, read_time

#: Digits of other scripts, which str.isdigit, int and strptime all take.
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + n) for n in range(10)))


def test_it_writes_a_date_as_yyyymmdd_and_a_time_as_hhmm():
    assert format_date(dt.date(2017, 10, 7)) == "20171007"
    assert format_date(dt.date(2030, 1, 2)) == "20300102"
    assert format_time(dt.time(9, 15)) == "0915"
    assert format_time(dt.time(0, 5)) == "0005"


def test_it_reads_back_what_it_writes():
    assert read_date(format_date(dt.date(2024, 2, 29))) == dt.date(2024, 2, 29)
    assert read_time(format_time(dt.time(23, 59))) == dt.time(23, 59)


def test_it_reads_the_first_and_last_days_it_allows():
    assert read_date("20000101") == dt.date(2000, 1, 1)
    assert read_date("29991231") == dt.date(2999, 12, 31)


@pytest.mark.parametrize(
    "value",
    [
        "20230230",
        "20230229",
        "20231301",
        "20230001",
        "19991231",  # before 2000
        "30000101",  # after 2999
        "00010101",
        "2023023",
        "202302281",
        "2023-02-28",
        " 20230228",
        "20230228 ",
        "20230228\n",
        "2023022a",
        "20230228".translate(FULLWIDTH),
        "20230228".translate(ARABIC_INDIC),
        "",
        None,
        20230228,
    ],
)
def test_it_reads_no_date_from_what_is_not_a_calendar_date_in_ascii_digits(value):
    assert read_date(value) is None


def test_it_reads_times_of_day():
    assert read_time("0915") == dt.time(9, 15)
    assert read_time("0000") == dt.time(0, 0)
    assert read_time("2359") == dt.time(23, 59)


@pytest.mark.parametrize(
    "value",
    [
        *("2460", "2400", "0960", "1a00", "915", "09150", "09:15", " 915", "0915\n"),
        *("0915".translate(FULLWIDTH), "0915".translate(ARABIC_INDIC), "", None, 915),
    ],
)
def test_it_reads_no_time_from_what_is_not_a_time_of_day_in_ascii_digits(value):
    assert read_time(value) is None
