"""Which programmes a volunteer is in is decided by the membership table alone: no code outside
models/members filters or joins volunteers by ``Volunteer.program_id`` (the first programme)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Volunteer.program_id in a query, or a volunteer object's program_id compared to something.
PATTERN = re.compile(r"Volunteer\.program_id|\b(?:volunteer|vol|v|own)\.program_id\s*(?:==|!=|\bin\b)")
ALLOWED = {"models/members/queries.py", "models/members/operations.py", "models/volunteers.py"}


def test_no_code_outside_the_members_module_decides_programme_membership_from_program_id():
    offenders = []
    for folder in ("models", "web", "matching", "optimizer", "seed"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ALLOWED or "/migrations/" in relative:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PATTERN.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "use models.members.queries.in_program / active_in:\n" + "\n".join(offenders)


def test_the_guard_sees_a_filter_by_program_id():
    assert PATTERN.search("select(Volunteer).where(Volunteer.program_id == p.id)")
    assert PATTERN.search("[v for v in vols if v.program_id == youth_program.id]")
    assert not PATTERN.search("session.get(Program, volunteer.program_id)")
