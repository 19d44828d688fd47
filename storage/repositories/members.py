"""Members of a council and the units (flats) of its roster."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberation.model import Member, Unit

from ..mapping import member_from_row, roles_text, unit_from_row
from ..models import CouncilRow, MemberRow, UnitRow


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_user(self, council_id: int, user_key: str) -> Member | None:
        row = (
            await self.session.execute(
                select(MemberRow).where(MemberRow.council_id == council_id, MemberRow.user_key == user_key)
            )
        ).scalar_one_or_none()
        return None if row is None else member_from_row(row)

    async def of_users(self, council_ids: set[int], user_keys: set[str]) -> Sequence[Member]:
        """The members of these councils among these users (callers pick their pairs)."""
        rows = await self.session.execute(
            select(MemberRow).where(
                MemberRow.council_id.in_(list(council_ids)), MemberRow.user_key.in_(list(user_keys))
            )
        )
        return [member_from_row(row) for row in rows.scalars()]

    async def by_users(self, council_id: int, user_keys: set[str]) -> Sequence[Member]:
        rows = await self.session.execute(
            select(MemberRow).where(MemberRow.council_id == council_id, MemberRow.user_key.in_(list(user_keys)))
        )
        return [member_from_row(row) for row in rows.scalars()]

    async def get(self, member_id: int) -> Member | None:
        row = await self.session.get(MemberRow, member_id)
        return None if row is None else member_from_row(row)

    async def find(self, council_id: int, handle: str) -> Member | None:
        rows = (await self.session.execute(select(MemberRow).where(MemberRow.council_id == council_id))).scalars().all()
        folded = handle.casefold()
        for match in (
            lambda r: (r.username or "").casefold() == folded,
            lambda r: r.name.casefold() == folded,
            lambda r: r.user_key == handle or r.user_key.endswith(":" + handle),
        ):
            found = [r for r in rows if match(r)]
            if len(found) == 1:
                return member_from_row(found[0])
        return None

    async def all(self, council_id: int) -> Sequence[Member]:
        rows = await self.session.execute(
            select(MemberRow).where(MemberRow.council_id == council_id).order_by(MemberRow.id)
        )
        return [member_from_row(r) for r in rows.scalars()]

    async def add(self, member: Member) -> Member:
        row = MemberRow(
            council_id=member.council_id,
            user_key=member.user_key,
            name=member.name,
            username=member.username,
            unit=member.unit,
            status=member.status.value,
            roles=roles_text(member),
        )
        self.session.add(row)
        await self.session.flush()
        return member_from_row(row)

    async def update(self, member: Member) -> None:
        await self.session.execute(
            update(MemberRow)
            .where(MemberRow.id == member.id)
            .values(
                name=member.name,
                username=member.username,
                unit=member.unit,
                status=member.status.value,
                roles=roles_text(member),
            )
        )


class UnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, council_id: int, code: str) -> Unit | None:
        row = (
            await self.session.execute(select(UnitRow).where(UnitRow.council_id == council_id, UnitRow.code == code))
        ).scalar_one_or_none()
        return None if row is None else unit_from_row(row)

    async def all(self, council_id: int) -> Sequence[Unit]:
        rows = await self.session.execute(
            select(UnitRow).where(UnitRow.council_id == council_id).order_by(UnitRow.code)
        )
        return [unit_from_row(r) for r in rows.scalars()]

    async def add(self, council_id: int, unit: Unit, *, from_roster: bool) -> None:
        self.session.add(
            UnitRow(
                council_id=council_id, code=unit.code, owner=unit.owner, area_cm2=unit.area_cm2, from_roster=from_roster
            )
        )
        await self.session.flush()

    async def replace_roster(self, council_id: int, units: Sequence[Unit]) -> None:
        await self.session.execute(delete(UnitRow).where(UnitRow.council_id == council_id))
        self.session.add_all(
            [
                UnitRow(council_id=council_id, code=u.code, owner=u.owner, area_cm2=u.area_cm2, from_roster=True)
                for u in units
            ]
        )
        await self.session.execute(update(CouncilRow).where(CouncilRow.id == council_id).values(has_roster=True))
        await self.session.flush()
