"""Repositories, one module per area: domain records in, domain records out. They never commit."""

from __future__ import annotations

from .assignments import AssignmentRepository
from .ballots import BallotRepository, VoteRepository
from .channels import BallotAttemptRepository, PaperEntryRepository, ProxyRepository, TellerRepository
from .communities import CommunityRepository
from .councils import CouncilRepository
from .events import EventRepository, read_chain
from .hall import HallRepository
from .meetings import MeetingRepository
from .members import MemberRepository, UnitRepository
from .minutes import MinutesRepository
from .motions import MotionRepository, SpeechRepository
from .notice_boards import NoticeBoardRepository
from .outbox import OutboxRepository, Queued
from .posts import PostRepository
from .reminders import Claimed, Reminder, ReminderRepository
from .updates import UpdateClaims

__all__ = [
    "AssignmentRepository",
    "BallotAttemptRepository",
    "PaperEntryRepository",
    "ProxyRepository",
    "TellerRepository",
    "BallotRepository",
    "Claimed",
    "CommunityRepository",
    "CouncilRepository",
    "EventRepository",
    "HallRepository",
    "MeetingRepository",
    "MemberRepository",
    "MinutesRepository",
    "MotionRepository",
    "NoticeBoardRepository",
    "OutboxRepository",
    "PostRepository",
    "Queued",
    "Reminder",
    "ReminderRepository",
    "SpeechRepository",
    "UnitRepository",
    "UpdateClaims",
    "VoteRepository",
    "read_chain",
]
