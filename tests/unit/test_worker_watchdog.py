"""The watchdog's rule for a stuck consumer (the restart itself is in tests/service)."""

from lms.worker_watchdog import Watch


def test_tasks_waiting_with_nothing_received_twice_is_stuck():
    w = Watch()
    assert w.check(3) is False  # first sight of waiting tasks: not yet
    assert w.check(3) is True


def test_an_empty_queue_is_never_stuck():
    w = Watch()
    assert [w.check(0) for _ in range(5)] == [False] * 5


def test_receiving_tasks_resets_the_count():
    w = Watch()
    w.check(5)
    w.received += 1  # the consumer took one: it is alive, the rest just wait their turn
    assert w.check(5) is False
    assert w.check(5) is False  # nothing since, but only one strike so far
    assert w.check(5) is True


def test_a_long_task_running_is_not_stuck():
    w = Watch()
    w.running = 1  # a solo worker busy with one long task receives nothing meanwhile
    assert [w.check(4) for _ in range(4)] == [False] * 4
    w.running = 0
    w.check(4)
    assert w.check(4) is True


def test_a_broker_error_between_checks_starts_again():
    w = Watch()
    w.check(2)
    w.strikes = 0  # what the thread does when Redis cannot be read
    assert w.check(2) is False


def test_the_watchdog_is_off_at_zero_and_without_redis(monkeypatch):
    from types import SimpleNamespace

    from lms import worker_watchdog

    monkeypatch.setattr(worker_watchdog, "_started", [])

    def consumer(url):
        return SimpleNamespace(app=SimpleNamespace(conf=SimpleNamespace(broker_url=url)))

    assert worker_watchdog.start(consumer("redis://127.0.0.1:6379/15"), 0) is None
    assert worker_watchdog.start(consumer("memory://"), 30) is None
