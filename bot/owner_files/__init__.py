"""Printable files of an owners' ballot: the paper 表决票 and the door-to-door 扫楼名单 (A4 PDF)."""

from .ballot_slips import slips_pdf
from .sweep_list import sweep_pdf

__all__ = ["slips_pdf", "sweep_pdf"]
