"""The Chinese fonts every PDF embeds: Noto Serif SC for the body (宋体-style) and Noto Sans SC for headings
(黑体-style), both under the SIL Open Font License, installed with the project (the `pylopdf-fonts-zh-cn` package
carries the fonts as released by the Noto project).

reportlab embeds TrueType outlines only and Noto CJK ships PostScript (CFF) outlines, so each document gets a
small TrueType font holding just the characters it uses: fontTools converts those glyphs (cubic to quadratic
curves) and builds the font in memory; reportlab then embeds a subset of it with a ToUnicode map, so the text
stays extractable. Converted glyphs are kept, so a second document costs little more than the new characters.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pylopdf_fonts_zh_cn
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont as SourceFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SERIF_PATH = Path(pylopdf_fonts_zh_cn.serif_path())  # Noto Serif SC: body text (宋体-style)
SANS_PATH = Path(pylopdf_fonts_zh_cn.sans_path())  # Noto Sans SC: titles and headings (黑体-style)
# Always in the font: Latin text, digits and the punctuation the minutes print around user text.
_ALWAYS = (
    "".join(chr(c) for c in range(0x20, 0x7F)) + "，。、；：？！（）《》「」『』【】…—＿　·％㎡²０１２３４５６７８９"
)
_KEPT_FONTS = 8  # registered document fonts kept for reuse before the oldest is dropped


@dataclass(frozen=True)
class DocumentFonts:
    """The registered reportlab font names of one document: body and headings."""

    body: str
    heading: str


class _Source:
    """One OpenType CJK font, read lazily, whose glyphs are converted to TrueType outlines on demand."""

    def __init__(self, path: Path, family: str) -> None:
        self.path, self.family = path, family
        self._font: Any = None
        self._glyphs: dict[str, Any] = {}  # glyph name -> converted TrueType glyph

    def _open(self) -> Any:
        if self._font is None:
            font = SourceFont(str(self.path), lazy=True)
            self._cmap, self._set, self._hmtx = font.getBestCmap(), font.getGlyphSet(), font["hmtx"]
            self._font = font
        return self._font

    def build(self, characters: str, name: str) -> bytes:
        """A TrueType font named `name` with the glyphs of `characters` (those this font has) and .notdef."""
        font = self._open()
        cmap: dict[int, str] = {}
        order = [".notdef"]
        for ch in sorted(set(characters)):
            name = self._cmap.get(ord(ch))
            if name is None:
                continue
            cmap[ord(ch)] = name
            if name not in order:
                order.append(name)
        for name in order:
            if name not in self._glyphs:
                pen = TTGlyphPen(None)
                self._set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
                self._glyphs[name] = pen.glyph()
        builder = FontBuilder(font["head"].unitsPerEm, isTTF=True)
        builder.setupGlyphOrder(order)
        builder.setupCharacterMap(cmap)
        builder.setupGlyf({name: self._glyphs[name] for name in order})
        builder.setupHorizontalMetrics({name: self._hmtx[name] for name in order})
        builder.setupHorizontalHeader(ascent=font["hhea"].ascent, descent=font["hhea"].descent)
        builder.setupNameTable({"familyName": self.family, "styleName": "Regular", "psName": name})
        os2 = font["OS/2"]
        builder.setupOS2(
            sTypoAscender=os2.sTypoAscender,
            sTypoDescender=os2.sTypoDescender,
            usWinAscent=os2.usWinAscent,
            usWinDescent=os2.usWinDescent,
            fsType=0,  # installable embedding, as the OFL allows
        )
        builder.setupPost()
        out = io.BytesIO()
        builder.save(out)
        return out.getvalue()


_SOURCES = {"body": _Source(SERIF_PATH, "Noto Serif SC"), "heading": _Source(SANS_PATH, "Noto Sans SC")}
_REGISTERED: OrderedDict[str, str] = OrderedDict()  # font name -> font name, oldest first
_LOCK = threading.Lock()


def document_fonts(text: str) -> DocumentFonts:
    """Register (or reuse) the body and heading fonts holding every character of `text`."""
    return DocumentFonts(body=face_font("body", text), heading=face_font("heading", text))


def face_font(role: str, text: str) -> str:
    """Register (or reuse) one face ("body" or "heading") holding every character of `text`: a document that
    prints in one face converts only that face's glyphs."""
    characters = "".join(sorted(set(text) | set(_ALWAYS)))
    key = hashlib.sha1(characters.encode("utf-8")).hexdigest()[:12]
    name = f"Yishi{'Serif' if role == 'body' else 'Sans'}-{key}"
    with _LOCK:
        if name in _REGISTERED:
            _REGISTERED.move_to_end(name)
            return name
        font = TTFont(name, io.BytesIO(_SOURCES[role].build(characters, name)))
        font.face.name = name.encode("ascii")  # reportlab shares a face among fonts of one face name
        pdfmetrics.registerFont(font)
        _REGISTERED[name] = name
        while len(_REGISTERED) > 2 * _KEPT_FONTS:
            old, _ = _REGISTERED.popitem(last=False)  # reportlab has no public way to forget a font
            pdfmetrics._fonts.pop(old, None)
            pdfmetrics._dynFaceNames.pop(old, None)
        return name
