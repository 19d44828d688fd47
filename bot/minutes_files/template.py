"""The minutes in a Word form a 街道 supplies: a .docx with Jinja tags (docxtpl), filled from the same outline.

The template sees (docs/docx-template.md lists it with an example):
  title, version, council, chain_head, generated      the document's head and small print
  fields: [{label, value}]                              the header table (会议名称, 时间, 地点, 主持人 ...)
  sections: [{heading, paragraphs: [{text, level}], tables: [{header: [...], rows: [[...]]}]}]
  signatures: {chair, recorder, date}                   the signature line labels
  minutes                                               the whole record as in the JSON export (English keys)
Text is escaped: a motion cannot inject Word markup.
"""

from __future__ import annotations

import io
from typing import Any

from docxtpl import DocxTemplate

from deliberation.minutes import Minutes, minutes_to_dict

from .outline import Fields, Heading, Para, Signatures, Table, Title, outline, xml_safe
from .words import Words


def template_context(minutes: Minutes, locale: str | None = None) -> dict[str, Any]:
    """What a Word template may print, in the reader's language (see the module's note)."""
    w = Words(locale)
    context: dict[str, Any] = {
        "council": minutes.council_name,
        "chain_head": minutes.chain_head,
        "generated": w.when(minutes.generated_at),
        "fields": [],
        "sections": [],
        "notes": [],
        "minutes": minutes_to_dict(minutes),
    }
    section: dict[str, Any] = {"heading": "", "paragraphs": [], "tables": []}
    for block in outline(minutes, locale):
        if isinstance(block, Title):
            context["title"], context["version"] = block.text, block.subtitle
        elif isinstance(block, Fields):
            context["fields"] = [{"label": label, "value": value} for row in block.rows for label, value in row]
        elif isinstance(block, Heading):
            if section["heading"] or section["paragraphs"]:
                context["sections"].append(section)
            section = {"heading": block.text, "paragraphs": [], "tables": []}
        elif isinstance(block, Para):
            if block.note:
                context["notes"].append(block.text)
            else:
                section["paragraphs"].append({"text": xml_safe(block.text), "level": block.level})
        elif isinstance(block, Table):
            section["tables"].append({"header": list(block.header), "rows": [list(row) for row in block.rows]})
        elif isinstance(block, Signatures):
            context["signatures"] = {"chair": block.chair, "recorder": block.recorder, "date": block.date}
    context["sections"].append(section)
    return context


def fill_template(template: bytes, minutes: Minutes, locale: str | None = None) -> Any:
    """The template rendered with the minutes; returns the python-docx document (to set its properties)."""
    document = DocxTemplate(io.BytesIO(template))
    document.render(template_context(minutes, locale), autoescape=True)
    return document
