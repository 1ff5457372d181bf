"""refresh.py: one question to the diary at a time, whoever asks, and never a wait for a refresh."""

import threading

from django.core.cache import cache

from bookings import refresh


class Asker:
    """A question to the diary that counts its calls and is held until released."""

    def __init__(self, key="q"):
        self.key, self.calls = key, 0
        self.started, self.release = threading.Event(), threading.Event()
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
        self.started.set()
        assert self.release.wait(10)
        cache.set(f"answer:{self.key}", "the answer")
        return "the answer"

    def ready(self):
        return cache.get(f"answer:{self.key}")


def test_threads_needing_the_same_answer_at_once_share_one_call():
    asker = Asker()
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(refresh.once("q", asker, asker.ready)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    assert asker.started.wait(5)
    asker.release.set()
    for thread in threads:
        thread.join(10)
    assert answers == ["the answer"] * 6
    assert asker.calls == 1


def test_a_caller_waits_for_another_servers_call_instead_of_asking_again():
    asker = Asker()
    held = cache.add("q:asking", "another server", refresh.lock_seconds())  # its lock
    assert held
    answer = []
    waiter = threading.Thread(target=lambda: answer.append(refresh.once("q", asker, asker.ready)))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and asker.calls == 0  # waiting, not asking
    cache.set("answer:q", "theirs")  # the other server's answer arrives
    waiter.join(5)
    assert answer == ["theirs"] and asker.calls == 0


def test_an_error_reaches_every_caller_waiting_on_it_and_frees_the_question():
    def failing():
        raise ConnectionError("the diary is down")

    try:
        refresh.once("q", failing, lambda: None)
    except ConnectionError:
        pass
    else:
        raise AssertionError("the error was swallowed")
    assert cache.get("q:asking") is None  # the next caller may ask


def test_a_refresh_runs_behind_the_caller_once_however_often_it_is_asked_for():
    asker = Asker()
    assert refresh.later("q", asker)
    assert asker.started.wait(5)
    assert not refresh.later("q", asker)  # already running here
    asker.release.set()
    assert refresh.wait_for_background(5)
    assert asker.calls == 1
    assert cache.get("q:asking") is None


def test_no_refresh_while_another_server_is_asking():
    asker = Asker()
    cache.add("q:asking", "another server", refresh.lock_seconds())
    assert not refresh.later("q", asker)
    assert refresh.wait_for_background(5)
    assert asker.calls == 0


def test_a_failed_refresh_frees_the_question_for_the_next_look():
    def failing():
        raise ConnectionError("the diary is down")

    assert refresh.later("q", failing)
    assert refresh.wait_for_background(5)
    assert cache.get("q:asking") is None
