"""The minutes as plain text for a chat message and as Markdown."""

from __future__ import annotations

from deliberation.minutes import Minutes

from ..i18n import Translator
from .outline import Fields, Heading, Para, Signatures, Table, Title, outline


def to_text(minutes: Minutes, locale: str | None = None) -> str:
    """Plain text for a chat message (the adapter escapes it): the votes as lines, no signature lines,
    no chain head (that is in the files and in /verify). Long minutes may exceed one message: send
    the file then."""
    colon = "：" if Translator(locale).locale.startswith("zh") else ": "
    lines: list[str] = []
    for block in outline(minutes, locale):
        if isinstance(block, Title):
            lines += [block.text, block.subtitle, ""]
        elif isinstance(block, Fields):
            lines += [colon.join(pair) for row in block.rows for pair in row]
        elif isinstance(block, Heading):
            lines += ["", block.text]
        elif isinstance(block, Para):
            if not block.note:
                lines.append("  " * block.level + ("· " if block.level >= 2 else "") + block.text)
        elif isinstance(block, Table):
            lines += ["  " + "｜".join(" ".join(cell.split()) for cell in row) for row in (block.header, *block.rows)]
    return "\n".join(lines).strip()


_MD_SPECIALS = set("\\`*_[]<>|~")  # our text never starts a line, so #, +, - and 1. stay literal


def md_escape(text: str) -> str:
    """User text made inert in Markdown: specials escaped, newlines folded."""
    flat = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _MD_SPECIALS else ch for ch in flat)


def to_markdown(minutes: Minutes, locale: str | None = None) -> str:
    out: list[str] = []
    for block in outline(minutes, locale):
        if isinstance(block, Title):
            out += [f"# {md_escape(block.text)}", "", f"*{md_escape(block.subtitle)}*", ""]
        elif isinstance(block, Fields):
            pairs = [pair for row in block.rows for pair in row]
            out += [f"| {md_escape(pairs[0][0])} | {md_escape(pairs[0][1])} |", "|---|---|"]
            out += [f"| {md_escape(label)} | {md_escape(value)} |" for label, value in pairs[1:]]
            out.append("")
        elif isinstance(block, Heading):
            out += ["", f"## {md_escape(block.text)}", ""]
        elif isinstance(block, Para):
            if block.note:
                out.append(f"<sub>{md_escape(block.text)}</sub>  ")
            elif block.level == 0:
                out += ["", f"### {md_escape(block.text)}", ""]

            else:
                out.append("  " * (block.level - 1) + f"- {md_escape(block.text)}")
        elif isinstance(block, Table):
            out += ["", "| " + " | ".join(md_escape(h) for h in block.header) + " |", "|" + "---|" * len(block.header)]
            out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, Signatures):
            out += ["", "---", ""]
            if block.counter:
                out += [f"{md_escape(block.counter)}　　{md_escape(block.scrutineer)}", ""]
            out += [
                f"{md_escape(block.chair)}＿＿＿＿＿＿　　{md_escape(block.recorder)}＿＿＿＿＿＿",
                "",
                f"{md_escape(block.date)}",
                "",
            ]
    text = "\n".join(out).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"
