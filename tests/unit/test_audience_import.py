"""``lms audience import`` (bulk enrolment by CSV, all or nothing) and ``lms audience list``."""

from __future__ import annotations

from datetime import date

import pytest
from lms_audience import services
from lms_audience.importer import ImportErrors, import_csv
from lms_audience.models import Profile, ProfileGroup

from lms.auth.services import find_by_email
from lms.extensions import db
from lms.models import Enrolment, User


@pytest.fixture
def groups(app):
    services.seed_groups()
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_import_enrols_creates_accounts_and_adds_groups(groups, app, f, tmp_path):
    course = f.course()
    existing = f.user(email="kru.somsri@example.com")
    csv_file = tmp_path / "class.csv"
    csv_file.write_text(
        "email,name,course_id,group\n"
        f"kru.somsri@example.com,,{course.id},staff\n"
        f"Nok@Example.com,นก ใจดี,{course.id},youth\n"
        "dang@example.com,แดง,,elderly\n",
        encoding="utf-8",
    )
    users_before = count(User)
    result = app.test_cli_runner().invoke(args=["audience", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "rows: 3, accounts created: 2, enrolments: 2, groups added: 3" in result.output
    db.session.expire_all()
    assert count(User) == users_before + 2
    nok = find_by_email("nok@example.com")
    assert nok.name == "นก ใจดี" and nok.password_hash is None
    enrolled = set(
        db.session.scalars(db.select(Enrolment.user_id).where(Enrolment.course_id == course.id))
    )
    assert {existing.id, nok.id} <= enrolled
    assert db.session.get(Profile, existing.id).group_codes == ["staff"]
    assert db.session.get(Profile, find_by_email("dang@example.com").id).group_codes == ["elderly"]
    again = app.test_cli_runner().invoke(args=["audience", "import", str(csv_file)])
    assert "accounts created: 0, enrolments: 0, groups added: 0" in again.output  # idempotent


def test_every_bad_row_is_reported_and_nothing_is_imported(groups, app, f, tmp_path):
    course = f.course()
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "email,name,course_id,group\n"
        f"good@example.com,Good,{course.id},youth\n"  # line 2: fine, but must not be imported
        f"not-an-email,Someone,{course.id},\n"  # line 3
        "x@example.com,X,abc,\n"  # line 4
        "y@example.com,Y,99999,\n"  # line 5
        f"z@example.com,Z,{course.id},martians\n"  # line 6
        f"noname@example.com,,{course.id},\n"  # line 7
        "w@example.com,W,,\n",  # line 8
        encoding="utf-8",
    )
    users_before, enrolments_before = count(User), count(Enrolment)
    result = app.test_cli_runner().invoke(args=["audience", "import", str(csv_file)])
    assert result.exit_code != 0
    out = result.output
    assert "line 2" not in out
    assert "line 3: email 'not-an-email' is not an email address" in out
    assert "line 4: course_id 'abc' is not a number" in out
    assert "line 5: no course 99999" in out
    assert "line 6: unknown audience group 'martians'" in out
    assert "line 7: name is required for a new account" in out
    assert "line 8: give a course_id, a group or both" in out
    assert "6 error(s): nothing imported" in out
    db.session.expire_all()
    assert count(User) == users_before and count(Enrolment) == enrolments_before
    assert find_by_email("good@example.com") is None
    assert count(ProfileGroup) == 0


def test_missing_columns_and_quoted_newlines_keep_true_line_numbers(groups, f):
    with pytest.raises(ImportErrors) as exc:
        import_csv("email,name\na@example.com,A\n")
    assert exc.value.errors == ["line 1: missing column(s): course_id, group"]
    course = f.course()
    with pytest.raises(ImportErrors) as exc:
        import_csv(
            "email,name,course_id,group\n"
            f'a@example.com,"two\nlines",{course.id},\n'  # lines 2-3
            "bad,B,,youth\n"  # line 4
        )
    assert exc.value.errors == ["line 4: email 'bad' is not an email address"]


def test_list_prints_member_counts_by_the_rules(groups, app, f):
    app.config["AUDIENCE_STAFF_DOMAINS"] = ["cmpao.go.th"]
    for birth in (date(1950, 1, 1), date(1940, 5, 5)):
        u = f.user()
        db.session.add(Profile(user_id=u.id, birth_date=birth, district=""))
    child = f.user()
    db.session.add(Profile(user_id=child.id, birth_date=date(2024, 1, 1), district=""))
    both = f.user(email="teacher@cmpao.go.th")  # staff by email, youth by age and by choice
    profile = Profile(user_id=both.id, birth_date=date(2004, 1, 1), district="")
    profile.chosen = [ProfileGroup(group_code="youth")]
    db.session.add(profile)
    f.user()  # no profile: in no group
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audience", "list"])
    assert result.exit_code == 0, result.output
    counts = {line.split("\t")[0]: int(line.split("\t")[1]) for line in result.output.splitlines()}
    assert counts == {
        "early_childhood": 1,
        "youth": 1,
        "general_public": 0,
        "staff": 1,
        "elderly": 2,
    }
    assert "Elderly / ผู้สูงอายุ" in result.output


def test_same_new_person_twice_makes_one_account(groups, f):
    course = f.course()
    result = import_csv(
        "group,course_id,name,email\n"  # any column order
        f"youth,{course.id},นก,nok@example.com\n"
        "elderly,,Nok again,NOK@example.com\n"
    )
    assert (result.rows, result.users_created, result.enrolments, result.groups_added) == (
        2,
        1,
        1,
        2,
    )
    nok = find_by_email("nok@example.com")
    assert nok.name == "นก"
    assert db.session.get(Profile, nok.id).group_codes == ["elderly", "youth"]


def test_empty_file_bom_and_non_utf8_are_refused_cleanly(groups, app, tmp_path):
    with pytest.raises(ImportErrors) as exc:
        import_csv("\ufeffemail,name,course_id,group\n")
    assert exc.value.errors == ["no rows to import"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "email,name,course_id,group\nx@example.com,Jos\xe9,,youth\n".encode("latin-1")
    )
    result = app.test_cli_runner().invoke(args=["audience", "import", str(latin)])
    assert result.exit_code != 0 and "not UTF-8" in result.output
    assert find_by_email("x@example.com") is None
    bom = tmp_path / "excel.csv"
    bom.write_text("email,name,course_id,group\nx@example.com,เอ็กซ์,,youth\n", encoding="utf-8-sig")
    result = app.test_cli_runner().invoke(args=["audience", "import", str(bom)])
    assert result.exit_code == 0, result.output
    assert find_by_email("x@example.com") is not None


def test_retired_group_is_a_bad_row(groups, f):
    from lms_audience.models import AudienceGroup

    db.session.get(AudienceGroup, "youth").retired = True
    db.session.commit()
    with pytest.raises(ImportErrors) as exc:
        import_csv("email,name,course_id,group\na@example.com,A,,elderly\nb@example.com,B,,youth\n")
    assert exc.value.errors == ["line 3: unknown audience group 'youth'"]
    assert find_by_email("a@example.com") is None
