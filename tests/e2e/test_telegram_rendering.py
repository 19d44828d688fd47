"""Telegram HTML from the desk's plain text: escaped, titled, split under the length limit."""

from __future__ import annotations

from bot.desk.messages import Button, Edit, Reply
from bot.telegram.rendering import TEXT_LIMIT, as_html, edit_chunk, popup, reply_chunks, split_text
from tests.fakes.fake_bot_api import parse_html


def test_user_text_renders_literally_and_only_the_title_is_bold():
    source = as_html("<b>x</b> & *y* _z_ `c` &amp; <", title="#1 <i>t</i>")
    text, entities = parse_html(source)
    assert text == "#1 <i>t</i>\n<b>x</b> & *y* _z_ `c` &amp; <"
    assert entities == [{"type": "bold", "offset": 0, "length": len("#1 <i>t</i>")}]


def test_long_replies_are_split_at_line_ends_with_buttons_on_the_last_piece():
    lines = [f"· 居民{i:04d} 3-{i:03d} " + "长" * 40 for i in range(300)]
    reply = Reply("\n".join(lines), title="成员（300）", buttons=((Button("附议", "s:1"),),))
    chunks = reply_chunks(reply)
    assert len(chunks) > 1
    texts = [parse_html(c.html)[0] for c in chunks]
    assert all(len(text.encode("utf-16-le")) // 2 <= 4096 for text in texts)
    assert texts[0].startswith("成员（300）\n") and not any(t.startswith("成员") for t in texts[1:])
    assert [c.markup is not None for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert "\n".join(texts)[len("成员（300）\n") :] == reply.text  # nothing lost, nothing doubled


def test_a_giant_line_is_cut_and_edits_are_clipped():
    pieces = split_text("字" * (TEXT_LIMIT * 2 + 5))
    assert "".join(pieces) == "字" * (TEXT_LIMIT * 2 + 5) and all(len(p) <= TEXT_LIMIT for p in pieces)
    chunk = edit_chunk(Edit("ballot:1", "票" * 10_000, "表决"))
    assert len(parse_html(chunk.html)[0]) <= 4096 and chunk.markup is None


def test_popups_fit_telegrams_200_characters():
    assert popup(None) is None and popup("") is None
    assert popup("短") == "短"
    assert len(popup("长" * 500)) == 200
