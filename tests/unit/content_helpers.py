"""Shared bits for the content-type tests: sample files and an educator with a course."""

from __future__ import annotations

import io

from lms.extensions import db
from lms.models import Activity

PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nสวัสดีครับ\n".encode()
DOCX = b"PK\x03\x04" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


def base_fields(title: str, completion: str, **extra) -> dict:
    return {"title": title, "is_visible": "y", "completion": completion, "requires": "0", **extra}


def setup_course(f, lessons: int = 0):
    """An English-speaking educator, a course they teach, and an enrolled learner."""
    teacher = f.user("educator", locale="en")
    course = f.course(teacher=teacher, lessons=lessons)
    learner = f.user(locale="en")
    return teacher, course, learner


def add(client, course, type_key: str, data: dict) -> Activity:
    r = client.post(
        f"/teach/section/{course.sections[0].id}/add/{type_key}",
        data=data,
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.text
    return db.session.scalars(
        db.select(Activity).where(Activity.course_id == course.id).order_by(Activity.id.desc())
    ).first()
