"""Form templates (SPEC §5.3–5.4), declared as data in `definitions/*.json`.

Each file declares one version of one template:

    {"code": "anecdotal_record", "version": 1, "title": "軼事紀錄表", "kind": "online",
     "based_on": "where the layout comes from", "fields": [...]}          # online form
    {"code": "implementation_proof", "version": 1, "title": "公開授課實施證明", "kind": "upload",
     "upload_label": "上傳用印完成紙本文件", "blank": {...}}                  # PDF upload

Answers store the code and version they were made with, so an old answer still renders after a
template gains a new version (a new file `<code>.v2.json`, never an edit of the old one).
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFINITIONS = Path(__file__).resolve().parent / "definitions"

ONLINE = "online"
UPLOAD = "upload"
TEACHER = "teacher"
# The school's forms (the 推薦表 a 學校承辦人 fills): a slot offers them, the teacher never fills them.
SCHOOL = "school"


@dataclass(frozen=True)
class FormTemplate:
    code: str
    version: int
    title: str
    kind: str
    definition: dict

    @property
    def is_upload(self) -> bool:
        return self.kind == UPLOAD

    @property
    def audience(self) -> str:
        """Who fills it: "teacher" (a slot of a case), "school" (a slot of a case the teacher's
        school fills: the 推薦表), "reviewer" (審查標準表) or "appeal" (申復表)."""
        return self.definition.get("audience", TEACHER)


class UnknownTemplate(LookupError):
    pass


@cache
def _all_versions() -> dict[str, dict[int, FormTemplate]]:
    found: dict[str, dict[int, FormTemplate]] = {}
    for path in sorted(DEFINITIONS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        template = FormTemplate(
            code=data["code"], version=int(data["version"]), title=data["title"], kind=data["kind"], definition=data
        )
        found.setdefault(template.code, {})[template.version] = template
    return found


def get_template(code: str, version: int | None = None) -> FormTemplate:
    """A template by code: the given version, or the newest one for new answers."""
    versions = _all_versions().get(code)
    if not versions:
        raise UnknownTemplate(code)
    if version is None:
        return versions[max(versions)]
    try:
        return versions[version]
    except KeyError:
        raise UnknownTemplate(f"{code} v{version}") from None


def all_templates(audience: str | None = TEACHER) -> list[FormTemplate]:
    """The newest version of every template, in file order: by default those a teacher's form
    slots may use (審查標準表 and 申復表 are never offered for a slot); None gives all."""
    newest = [versions[max(versions)] for versions in _all_versions().values()]
    return [t for t in newest if audience is None or t.audience == audience]


def title_of(code: str) -> str:
    try:
        return get_template(code).title
    except UnknownTemplate:
        return code
