"""The receipts of the 公示 (civil278): for each closed ballot, the receipt codes counted, so an owner can find
the code they were given. An open ballot shows unit and choice beside each code; a secret one the codes alone,
sorted, several to a line (a code proves no choice to anyone)."""

from __future__ import annotations

from deliberation.minutes import Minutes, MinutesVote

from .words import Words

CODES_PER_LINE = 5  # a secret ballot's codes, in rows a reader can run a finger along


def _lines(w: Words, vote: MinutesVote) -> list[str]:
    if vote.secret:
        codes = [r.receipt for r in vote.receipts]
        return ["　".join(codes[i : i + CODES_PER_LINE]) for i in range(0, len(codes), CODES_PER_LINE)]
    return [
        w(
            "pack.minutes.receipt",
            receipt=r.receipt,
            units=r.units or "—",
            choice=w(f"minutes.choice.{r.choice}") if r.choice else "—",
        )
        for r in vote.receipts
    ]


def receipt_sections(w: Words, minutes: Minutes) -> list[tuple[str, list[str]]]:
    """(heading line, lines) per closed ballot that has receipts, in the order the ballots were put."""
    return [
        (w("pack.minutes.receipts", number=vote.number, count=len(vote.receipts)), _lines(w, vote))
        for vote in minutes.votes
        if vote.closed and vote.receipts
    ]
