"""Demo data: courses in Thai and English and one user of each role. Safe to run twice."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from lms.auth.services import create_user, find_by_email
from lms.extensions import db
from lms.models import Course
from lms.teach import services

DEMO_USERS = (
    (
        "admin",
        "Demo Admin / ผู้ดูแลระบบ",
        "admin@example.com",
        "demo-admin-2569",
        ("admin", "educator"),
    ),
    ("educator", "ครูสมศรี ใจดี", "teacher@example.com", "demo-teacher-2569", ("educator",)),
    ("learner", "สมชาย เรียนดี", "learner@example.com", "demo-learner-2569", ("learner",)),
    ("it_staff", "IT Staff / ฝ่ายไอที", "it@example.com", "demo-it-2569", ("it_staff",)),
    (
        "programme_officer",
        "เจ้าหน้าที่โครงการ",
        "officer@example.com",
        "demo-officer-2569",
        ("programme_officer",),
    ),
)

DEMO_COURSES = [
    {
        "title": "ใช้สมาร์ตโฟนอย่างปลอดภัย สำหรับผู้สูงอายุ",
        "summary": "เรียนรู้การใช้ไลน์ การโทรวิดีโอ และวิธีสังเกตข้อความหลอกลวง ทีละขั้นตอน",
        "language": "th",
        "sections": [
            (
                "เริ่มต้นใช้งาน",
                [
                    (
                        "รู้จักหน้าจอโทรศัพท์",
                        "## หน้าจอหลัก\n\nหน้าจอหลักมี **แอป** ต่าง ๆ เรียงกันอยู่ "
                        "แตะหนึ่งครั้งเพื่อเปิดแอป\n\n- ปุ่มเปิดปิดอยู่ด้านข้าง\n- ปุ่มปรับเสียงอยู่ด้านข้าง",
                    ),
                    (
                        "เพิ่มเพื่อนในไลน์",
                        "เปิดแอป **LINE** แล้วแตะ *เพิ่มเพื่อน* จากนั้นสแกนคิวอาร์โค้ดของลูกหลาน",
                    ),
                ],
            ),
            (
                "ความปลอดภัย",
                [
                    (
                        "สังเกตข้อความหลอกลวง",
                        "ข้อความที่ขอ **รหัส OTP** หรือให้โอนเงินด่วน มักเป็นการหลอกลวง\n\n"
                        "> อย่าบอกรหัสกับใคร แม้จะอ้างว่าเป็นธนาคาร",
                    ),
                ],
            ),
        ],
    },
    {
        "title": "ปลูกผักสวนครัวในกระถาง",
        "summary": "คอร์สสั้นสำหรับบุคคลทั่วไป ปลูกผักกินเองที่บ้าน ใช้พื้นที่น้อย",
        "language": "th",
        "sections": [
            (
                "เตรียมดินและกระถาง",
                [
                    ("เลือกกระถาง", "กระถางควรมีรูระบายน้ำ ขนาดอย่างน้อย 8 นิ้ว"),
                    ("ผสมดินปลูก", "ดินร่วน 2 ส่วน ปุ๋ยหมัก 1 ส่วน แกลบ 1 ส่วน"),
                ],
            ),
        ],
    },
    {
        "title": "Digital literacy basics",
        "summary": "Safe passwords, spotting fake news and protecting your personal data.",
        "language": "en",
        "sections": [
            (
                "Staying safe online",
                [
                    (
                        "Strong passwords",
                        "A strong password is **long**. Use a sentence you remember:\n\n"
                        "`my-dog-eats-mango-at-noon`",
                    ),
                    (
                        "Checking a news story",
                        "Before you share: who wrote it, when, and does another source agree?",
                    ),
                ],
            ),
        ],
    },
]


def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo users and courses (skipping what exists) and return the logins."""
    users = {}
    for role, name, email, password, roles in DEMO_USERS:
        user = find_by_email(email)
        if user is None:
            user = create_user(name, email, password, roles=roles, consent=True)
            user.locale = "en" if role in ("admin", "it_staff") else "th"
        users[role] = user
    db.session.flush()
    page = current_app.extensions["lms"].content.get("page")
    for spec in DEMO_COURSES:
        if db.session.scalar(select(Course.id).where(Course.title == spec["title"])):
            continue
        course = services.create_course(
            users["educator"],
            title=spec["title"],
            summary=spec["summary"],
            language=spec["language"],
        )
        first = course.sections[0] if course.sections else None
        for i, (section_title, lessons) in enumerate(spec["sections"]):
            if i == 0 and first is not None:
                section = first
                section.title = section_title
            else:
                section = services.add_section(course, section_title)
            for title, body in lessons if page else []:
                activity = services.add_activity(section, "page", title=title, completion="manual")
                page.import_data(activity, {"format": "markdown", "body": body})
        services.set_published(course, True)
    db.session.commit()
    return [(role, email, password) for role, _n, email, password, _r in DEMO_USERS]
