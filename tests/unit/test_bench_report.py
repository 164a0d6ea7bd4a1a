"""bench/report.py: the targets table and the fan-out and fiscal-year report sections,
rendered from a small fake run (no servers, no database)."""

from __future__ import annotations

import pytest

from bench import report as run_report
from bench import settings


def summary(rps=100.0, p50=5.0, p95=20.0, p99=40.0, errors=0, requests=1000) -> dict:
    return {
        "requests": requests,
        "rps": rps,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "errors": errors,
    }


def fake_run(notify=None, outreach=None, size="M"):
    s = summary
    results = {
        ("bare baseline", "lesson fixed"): {"ALL": s(150, p95=10)},
        ("LMS", "lesson fixed"): {"ALL": s(150, p95=30)},
        ("bare baseline", "lesson share"): {"ALL": s(120, p95=10)},
        ("LMS", "lesson share"): {"ALL": s(120, p95=12)},
        ("LMS", "mix fixed"): {"lesson view": s(40), "ALL": s(100, errors=2)},
        ("LMS", "submit fixed"): {"quiz submit": s(99), "ALL": s(99.5, p99=120)},
        ("LMS", "mix closed 8"): {"ALL": s(80)},
    }
    ramp = {
        "bare baseline": {n: s(100 * n / 4 + 100, p95=5 * n) for n in (4, 8, 16, 32)},
        "LMS": {n: s(80 * n / 4 + 100, p95=10 * n) for n in (4, 8, 16, 32)},
    }
    report = {
        "when": "2026-12-06T12:00:00+00:00",
        "size": size,
        "machine": {"cores": "2"},
        "share_rate": 120.0,
        "generate": {"seconds": 1.0, "output": "Generating"},
        "queries": {"lesson view": 3},
        "inprocess": {
            name: {"n": 10, "median_ms": 2.0, "p90_ms": 3.0, "queries": 3, "calls": 1000}
            for name in ("LMS", "bare baseline")
        },
        "icount": {},
        "quiz": {
            "learners": 5,
            "workers": "4",
            "wall": 1.0,
            "together": {"4 submit": s(10)},
            "alone": {"4 submit": s(1)},
        },
        "notify": notify or {},
        "outreach": outreach or {},
    }
    return report, results, ramp, {"LMS": {"master": 20.0}}


NOTIFY = {
    "n": 10_000,
    "dbs": ["postgresql"],
    "redis": "redis://127.0.0.1:6379/14",
    "runs": [
        {
            "db": "PostgreSQL (127.0.0.1)",
            "variant": "defaults",
            "n": 10_000,
            "got": 10_000,
            "distinct": 10_000,
            "seconds": 19.2,
            "load": 1.7,
            "when": "2026-12-06T12:10:00+00:00",
        }
    ],
}


def outreach_size(rows: int, year_ms: float) -> dict:
    return {
        "rows": rows,
        "when": "2026-12-06T12:20:00+00:00",
        "dialect": "PostgreSQL",
        "server": "PostgreSQL 15",
        "insert_seconds": 30.0,
        "insert_method": "COPY",
        "batch": 20_000,
        "runs": 7,
        "fiscal_year": 2566,
        "load": 1.1,
        "queries": [
            {"key": k, "query": k, "median_ms": year_ms, "min_ms": 1.0, "max_ms": 2.0}
            for k in ("year", "other", "filtered", "dashboard")
        ],
    }


def targets(rows) -> dict[str, tuple[str, str]]:
    return {t: (m, ok) for t, m, ok in rows}


def test_targets_from_the_runs_figures():
    report, results, ramp, _memory = fake_run(
        NOTIFY,
        {
            "runs": 7,
            "scratch": "x",
            "sizes": [outreach_size(1_000_000, 650), outreach_size(10_000_000, 5400)],
        },
    )
    got = targets(run_report.target_rows(report, results, ramp))
    met = {t.split(" (")[0].split(",")[0]: ok for t, (_m, ok) in got.items()}
    # bare peak 900, LMS peak 740: 0.82x
    assert met["Lesson page throughput ≥ 0.8× the bare baseline's"] == "yes"
    p95 = [ok for t, (_m, ok) in got.items() if t.startswith("Lesson page p95")]
    assert p95 == ["yes", "no"]  # 12 vs 10 ms at the share; 30 vs 10 ms at 150/s
    # Under 100 ms the LMS serves at most 260 req/s (8 users); 740 at 32 users takes 320 ms.
    assert met["Lesson page ≥ 300 req/s with p95 < 100 ms"] == "no"
    ramp["LMS"][16]["p95_ms"] = 90.0
    again = targets(run_report.target_rows(report, results, ramp))
    lesson = again["Lesson page ≥ 300 req/s with p95 < 100 ms (2 cores, size M)"]
    assert lesson == ("420 req/s with 16 users, p95 90 ms (2 cores, size M)", "yes")
    assert met["Zero errors in the fixed-rate phases"] == "no"  # the mix had 2
    assert met["Quiz submit ≥ 100/s with p99 < 500 ms"] == "yes"
    fan_out = got["10,000 notifications delivered in ≤ 30 s by one worker, PostgreSQL (127.0.0.1)"]
    assert fan_out == ("10,000 of 10,000 (10,000 distinct) in 19.2 s, load 1.7", "yes")
    assert got["Fiscal-year report at size M (1,000,000 records, PostgreSQL) < 1 s"][1] == "yes"
    info = "Fiscal-year report at size L (10,000,000 records, PostgreSQL): information, no target"
    assert got[info] == ("5,400 ms (median of 7, load 1.1)", "— (< 1 s: no)")


def test_skipped_phases_say_not_run():
    report, results, ramp, _memory = fake_run(size="XS")
    got = targets(run_report.target_rows(report, results, ramp))
    assert got["10,000 notifications delivered in ≤ 30 s by one worker"] == ("not run", "not run")
    m = got["Fiscal-year report at size M (1,000,000 records, PostgreSQL) < 1 s"]
    assert m == ("not run", "not run")
    assert got["Lesson page ≥ 300 req/s with p95 < 100 ms (2 cores, size M)"][1] == (
        "not run at size M"
    )


@pytest.mark.parametrize("fresh", [True, False])
def test_the_page_holds_this_runs_sections_not_the_histories(tmp_path, monkeypatch, fresh):
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    monkeypatch.setattr(settings, "OUTPUT", tmp_path / "benchmarks.md")
    (tmp_path / "docs").mkdir()
    (tmp_path / "bench").mkdir()
    (tmp_path / "docs" / "benchmarks-notify.md").write_text("# old notify history")
    outreach = {"runs": 7, "scratch": "x", "sizes": [outreach_size(20_000, 30)]}
    run_report.write_report(*fake_run(NOTIFY if fresh else None, outreach if fresh else None))
    page = (tmp_path / "benchmarks.md").read_text()
    assert "old notify history" not in page
    assert page.index("## Machine") < page.index("## Targets") < page.index("## Data generation")
    assert "[benchmarks-notify.md](benchmarks-notify.md)" in page
    assert "[benchmarks-outreach.md](benchmarks-outreach.md)" in page
    if fresh:
        assert "| PostgreSQL (127.0.0.1) | defaults | 10,000 | 10,000 | 10,000 | 19.2 s" in page
        assert "### 20,000 participation records" in page
    else:
        assert "Not run (BENCH_NOTIFY_N=0" in page
        assert "Not run (BENCH_OUTREACH_ROWS empty)" in page


def test_the_page_can_be_written_again_from_the_stored_figures(tmp_path, monkeypatch):
    """bench/report.py FIGURES writes the same page as the run did, with the run's own
    settings (here a fixed rate of 200/s) even when this process's differ."""
    monkeypatch.setattr(settings, "ROOT", tmp_path)
    monkeypatch.setattr(settings, "OUTPUT", tmp_path / "benchmarks.md")
    report, results, ramp, memory = fake_run(NOTIFY)
    report["settings"] = {**run_report.run_settings(), "RATE": 200.0}
    run_report.write_report(report, results, ramp, memory)
    first = (tmp_path / "benchmarks.md").read_text()
    assert "Fixed rate 200 requests/s" in first
    assert "at 200 req/s (the fixed rate)" in first
    stored = tmp_path / "benchmarks.json"  # a page outside docs/ keeps its figures beside it
    assert run_report.load_figures(stored.read_text())[1] == results
    (tmp_path / "benchmarks.md").unlink()
    run_report.main([str(stored)])
    assert (tmp_path / "benchmarks.md").read_text() == first


def test_cpu_section_shows_each_process_kind_and_the_ratio():
    from bench.report import cpu_section

    cpu = {
        "LMS": {"app": 5.0, "PostgreSQL": 1.0, "Redis": 0.1, "load generator": 0.4},
        "bare baseline": {"app": 2.5, "PostgreSQL": 1.5, "Redis": 0.0, "load generator": 0.3},
    }
    text = "\n".join(cpu_section(cpu))
    assert "| | app | PostgreSQL | Redis | load generator | all |" in text
    assert "| LMS | 5.00 | 1.00 | 0.10 | 0.40 | 6.50 |" in text
    assert "LMS / bare: **2.00**" in text and "all processes: **1.51**" in text
    assert cpu_section({}) == []  # a run from before this figure existed


def test_icount_section_splits_each_app_into_its_parts():
    from bench.icount import split

    counts = {
        "LMS": 11.3e6,
        "bare baseline": 8.8e6,
        "stages": {
            "LMS": split(11.3e6, 7.2e6, 3.6e6),
            "bare baseline": split(8.8e6, 8.5e6, 1.2e6),
        },
    }
    text = "\n".join(run_report.icount_section(counts))
    assert "ratio **1.28**" in text
    assert "| outside the view | 3.60 M | 1.20 M | +2.40 M |" in text
    assert "| view | 3.60 M | 7.30 M | -3.70 M |" in text
    assert "| template | 4.10 M | 0.30 M | +3.80 M |" in text
    # an older run's figures without the split still make a page
    assert "| part |" not in "\n".join(
        run_report.icount_section({"LMS": 2.0, "bare baseline": 1.0})
    )


def throughput_row(rows) -> tuple[str, str, str]:
    (row,) = [r for r in rows if r[0].startswith("Lesson page throughput")]
    return row


def test_throughput_target_uses_the_alternating_rounds_when_the_run_has_them():
    rounds = [
        {"bare baseline": 500.0, "LMS": 400.0},
        {"bare baseline": 400.0, "LMS": 380.0},
        {"bare baseline": 450.0, "LMS": 405.0},
    ]
    paired = {
        "rounds": rounds,
        "seconds": 6.0,
        "median_ratio": 0.9,
        "median_rps": {"bare baseline": 450.0, "LMS": 400.0},
    }
    ramp = {
        "LMS": {8: {"rps": 300.0, "p95_ms": 20.0}},
        "bare baseline": {8: {"rps": 600.0, "p95_ms": 9.0}},
    }
    rows = run_report.target_rows({"paired": paired}, {}, ramp)
    target, measured, met = throughput_row(rows)
    assert "alternating rounds" in target
    assert measured.startswith("0.90× (median of 3 rounds") and met == "yes"
    text = "\n".join(run_report.paired_section(paired))
    assert "| 2 | 400.0 | 380.0 | 0.95 |" in text and "**0.90**" in text
    # with the fixed-rate rounds, the p95 target at the fixed rate is judged on them too
    paired.update(
        rate=150.0,
        fixed_p95=[{"bare baseline": 6.0, "LMS": 7.0}, {"bare baseline": 8.0, "LMS": 9.0}],
        median_p95_ratio=1.16,
    )
    fixed = [r for r in run_report.target_rows({"paired": paired}, {}, ramp) if "p95" in r[0]]
    at_rate = [r for r in fixed if "alternating" in r[0]]
    assert len(at_rate) == 1 and at_rate[0][1].startswith("1.16× (median of 2 rounds)")
    assert at_rate[0][2] == "yes"
    assert "| 2 | 8.0 | 9.0 | 1.12 |" in "\n".join(run_report.paired_section(paired))
    # figures from before the rounds existed: the ramps' peaks, as then
    target, measured, met = throughput_row(run_report.target_rows({}, {}, ramp))
    assert "peak of the closed loop" in target and measured.startswith("0.50×") and met == "no"


def test_machine_section_shows_the_speed_probe_when_the_run_measured_it(tmp_path, monkeypatch):
    from bench.report import speed_lines

    monkeypatch.setattr(settings, "ROOT", tmp_path)
    monkeypatch.setattr(settings, "OUTPUT", tmp_path / "benchmarks.md")
    report, results, ramp, memory = fake_run(NOTIFY)
    report["speed"] = {"start": 20.0, "lesson page done": 15.0, "end": 18.5}
    run_report.write_report(report, results, ramp, memory)
    page = (tmp_path / "benchmarks.md").read_text()
    machine = page[page.index("## Machine") : page.index("## Targets")]
    assert "start: 20.0; lesson page done: 15.0; end: 18.5" in machine
    assert "the slowest reading is 75 % of the fastest" in machine
    assert speed_lines({}) == []  # a run from before the probe existed


def test_share_rate_target_uses_its_alternating_rounds():
    report, results, ramp, _memory = fake_run()
    # one app after the other at the share: 12 vs 10 ms, within 1.25x
    (share,) = [
        r for r in run_report.target_rows(report, results, ramp) if "of the bare app's peak" in r[0]
    ]
    assert share[1].startswith("1.20× (12.0 vs 10.0 ms)") and share[2] == "yes"
    report["paired"] = {
        "rounds": [{"bare baseline": 100.0, "LMS": 100.0}],
        "seconds": 6.0,
        "median_ratio": 1.0,
        "median_rps": {"bare baseline": 100.0, "LMS": 100.0},
        "share_rate": 120.0,
        "share_p95": [{"bare baseline": 10.0, "LMS": 14.0}, {"bare baseline": 10.0, "LMS": 13.0}],
        "median_share_p95_ratio": 1.4,
    }
    (share,) = [
        r for r in run_report.target_rows(report, results, ramp) if "of the bare app's peak" in r[0]
    ]
    assert "median of the alternating rounds" in share[0]
    assert share[1] == "1.40× (median of 2 rounds)" and share[2] == "no"
    text = "\n".join(run_report.paired_section(report["paired"]))
    assert "And at 120 requests/s" in text and "| 2 | 10.0 | 13.0 | 1.30 |" in text
    assert "**1.40**" in text


def test_generator_target_on_both_databases():
    report, results, ramp, _memory = fake_run()
    report["generate"] = {"seconds": 70.4, "output": "Generating M\n  user  10,001"}
    got = targets(run_report.target_rows(report, results, ramp))
    name = "`lms bench generate --size M` in under 5 minutes (2 cores)"
    assert got[f"{name}, PostgreSQL"] == ("70.4 s (size M)", "yes")
    assert got[f"{name}, SQLite"] == ("not run", "not run")  # BENCH_GENERATE_SQLITE=0
    report["generate_sqlite"] = {
        "seconds": 301.0,
        "output": "Generating M\n  user  10,001\nDone in 300.2 s.",
        "file_mb": 442.5,
    }
    got = targets(run_report.target_rows(report, results, ramp))
    assert got[f"{name}, SQLite"] == ("301.0 s (size M)", "no")
    text = "\n".join(run_report.generate_section(report))
    assert "into PostgreSQL took **70.4 s**" in text
    assert "**301.0 s**" in text and "442 MB file with the same rows." in text
    report["generate_sqlite"]["output"] = "Generating M\n  user  9,999"
    assert "user  9,999" in "\n".join(run_report.generate_section(report))
    report["size"] = "S"
    got = targets(run_report.target_rows(report, results, ramp))
    assert got[f"{name}, SQLite"][1] == "not run at size M"


def test_quiz_burst_line_points_to_the_targets_measure():
    """The burst's submits queue behind its starts: its p99 is shown as information, with the
    rate it reached, and the page says which phase judges the submit target."""
    report, *_ = fake_run()
    report["quiz"]["together"]["4 submit"] = summary(rps=78, p99=888)
    text = "\n".join(run_report.quiz_section(report["quiz"]))
    assert "p99 **888 ms**, 78 submits/s" in text
    assert "not the target's measure" in text
    assert "quiz submits alone at a fixed rate" in text
