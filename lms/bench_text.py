"""Text for benchmark sites (``lms bench generate``): course titles and lesson bodies in Thai
and English, every lesson body different, at the lengths real lessons have.

The bodies are Markdown with what educators write: headings, paragraphs, bullet and numbered
lists, a table now and then, links and emphasis. Each one names its lesson, so no two are
equal and no per-process cache of rendered text can serve a whole benchmark from a few entries.
"""

from __future__ import annotations

import random

TH_WORDS = [
    "การใช้สมาร์ตโฟน",
    "ภาษาอังกฤษ",
    "เกษตรอินทรีย์",
    "สุขภาพผู้สูงอายุ",
    "การเงินครัวเรือน",
    "ทักษะดิจิทัล",
    "ทำอาหารพื้นเมือง",
    "ผ้าทอมือ",
    "การท่องเที่ยวชุมชน",
    "ปฐมพยาบาล",
    "ดนตรีล้านนา",
    "คณิตศาสตร์",
]
EN_WORDS = [
    "Digital skills",
    "Household finance",
    "Organic farming",
    "First aid",
    "Spoken English",
    "Local cooking",
    "Community tourism",
    "Handwoven textiles",
    "Lanna music",
    "Everyday maths",
]

TH_SENTENCES = [
    "บทเรียนนี้อธิบาย **ทักษะ** ที่ใช้ได้จริงในชีวิตประจำวัน และยกตัวอย่างจากชุมชนในจังหวัดเชียงใหม่",
    "ผู้เรียนควรอ่านเนื้อหาให้จบก่อน แล้วลองทำแบบฝึกหัดท้ายบทด้วยตนเอง",
    "หากใช้โทรศัพท์มือถือ สามารถหมุนหน้าจอเป็นแนวนอนเพื่อดูตารางได้ชัดเจนขึ้น",
    "ผู้สูงอายุหลายท่านเริ่มจากการฝึกทีละขั้น และทบทวนซ้ำจนคล่อง",
    "ครูและผู้ปกครองช่วยแนะนำเด็กปฐมวัยได้ โดยอ่านออกเสียงไปพร้อมกัน",
    "ข้อมูลในบทนี้ปรับปรุงล่าสุดในปีงบประมาณ พ.ศ. 2569",
    "ลองจดบันทึกสิ่งที่ได้เรียนรู้ แล้วนำไปแบ่งปันกับเพื่อนในกลุ่มไลน์ของชั้นเรียน",
    "การฝึกปฏิบัติวันละเล็กน้อยได้ผลดีกว่าการอ่านครั้งเดียวเป็นเวลานาน",
    "เจ้าหน้าที่องค์การบริหารส่วนจังหวัดจัดกิจกรรมนี้ร่วมกับโรงเรียนและเทศบาลในพื้นที่",
    "ถ้ามีคำถาม ให้ถามผู้สอนในช่วงเรียนสดทุกวันพุธ เวลา 19.00 น.",
    "อย่าลืม *บันทึกความก้าวหน้า* เมื่ออ่านบทเรียนจบ ระบบจะแสดงผลในหน้าคอร์สของคุณ",
    "ตัวอย่างต่อไปนี้มาจากวิทยากรท้องถิ่นในอำเภอสันกำแพงและอำเภอแม่ริม",
]
EN_SENTENCES = [
    "This lesson explains a **practical skill** with examples from villages around Chiang Mai.",
    "Read the whole page first, then try the exercise at the end on your own.",
    "On a phone, turn the screen sideways to read the table more easily.",
    "Many older learners start with one small step and repeat it until it feels easy.",
    "Parents and teachers can guide young children by reading the text aloud together.",
    "The material was last reviewed in fiscal year 2026.",
    "Write down what you learned and share it with your class's LINE group.",
    "A little practice every day works better than one long reading session.",
    "The provincial office runs this activity with local schools and municipalities.",
    "Bring your questions to the live session on Wednesdays at 7 pm.",
    "Remember to *mark your progress* when you finish: your course page shows it.",
    "The examples below come from local trainers in San Kamphaeng and Mae Rim.",
]


def course_title(rng: random.Random, thai: bool, number: int) -> str:
    return f"{rng.choice(TH_WORDS if thai else EN_WORDS)} {number}"


def lesson_body(rng: random.Random, thai: bool, number: int, course_title: str) -> str:
    """A Markdown lesson of about 600 to 2,300 characters, different for every ``number``."""
    sentences = TH_SENTENCES if thai else EN_SENTENCES
    heading = "เนื้อหา" if thai else "Contents"
    parts = [f"## {heading}: {course_title}, {number}"]
    for _ in range(rng.randint(2, 6)):
        parts.append(" ".join(rng.sample(sentences, rng.randint(2, 4))))
    steps = rng.sample(sentences, rng.randint(3, 5))
    if rng.random() < 0.5:
        parts.append("\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1)))
    else:
        parts.append("\n".join(f"- {s}" for s in steps))
    if rng.random() < 0.25:
        head = "| ขั้นตอน | เวลา (นาที) |" if thai else "| Step | Minutes |"
        rows = "\n".join(f"| {i} | {rng.randint(5, 45)} |" for i in range(1, rng.randint(3, 6)))
        parts.append(f"{head}\n|---|---:|\n{rows}")
    if rng.random() < 0.4:
        label = "อ่านเพิ่มเติม" if thai else "Further reading"
        parts.append(f"[{label} {number}](https://example.org/lesson/{number})")
    parts.append(" ".join(rng.sample(sentences, 2)))
    return "\n\n".join(parts)
