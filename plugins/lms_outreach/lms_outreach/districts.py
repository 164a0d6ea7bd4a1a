"""Seed data: the districts (อำเภอ) of Chiang Mai with their DOPA geocodes.

Districts are data: the migration and ``create_all`` insert these rows into
``lms_outreach_district``; other provinces are added as rows (``lms outreach district add``).
"""

from __future__ import annotations

PROVINCE_CODE = "50"
PROVINCE_TH = "เชียงใหม่"
PROVINCE_EN = "Chiang Mai"

# (code, Thai name, English name), in geocode order.
CHIANG_MAI = (
    ("5001", "เมืองเชียงใหม่", "Mueang Chiang Mai"),
    ("5002", "จอมทอง", "Chom Thong"),
    ("5003", "แม่แจ่ม", "Mae Chaem"),
    ("5004", "เชียงดาว", "Chiang Dao"),
    ("5005", "ดอยสะเก็ด", "Doi Saket"),
    ("5006", "แม่แตง", "Mae Taeng"),
    ("5007", "แม่ริม", "Mae Rim"),
    ("5008", "สะเมิง", "Samoeng"),
    ("5009", "ฝาง", "Fang"),
    ("5010", "แม่อาย", "Mae Ai"),
    ("5011", "พร้าว", "Phrao"),
    ("5012", "สันป่าตอง", "San Pa Tong"),
    ("5013", "สันกำแพง", "San Kamphaeng"),
    ("5014", "สันทราย", "San Sai"),
    ("5015", "หางดง", "Hang Dong"),
    ("5016", "ฮอด", "Hot"),
    ("5017", "ดอยเต่า", "Doi Tao"),
    ("5018", "อมก๋อย", "Omkoi"),
    ("5019", "สารภี", "Saraphi"),
    ("5020", "เวียงแหง", "Wiang Haeng"),
    ("5021", "ไชยปราการ", "Chai Prakan"),
    ("5022", "แม่วาง", "Mae Wang"),
    ("5023", "แม่ออน", "Mae On"),
    ("5024", "ดอยหล่อ", "Doi Lo"),
    ("5025", "กัลยาณิวัฒนา", "Galyani Vadhana"),
)


def seed_rows() -> list[dict[str, str]]:
    """The rows to insert into ``lms_outreach_district``."""
    return [
        {
            "code": code,
            "province_code": PROVINCE_CODE,
            "province_th": PROVINCE_TH,
            "province_en": PROVINCE_EN,
            "name_th": th,
            "name_en": en,
        }
        for code, th, en in CHIANG_MAI
    ]


def seed_missing() -> int:
    """Insert the seed districts that are not in the table (idempotent); the caller commits."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms_outreach.models import District

    have = set(db.session.scalars(select(District.code)))
    rows = [row for row in seed_rows() if row["code"] not in have]
    db.session.add_all(District(**row) for row in rows)
    return len(rows)
