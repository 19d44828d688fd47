"""Compatibility: these moved to storage.repositories and storage.uow (delete once nothing imports this)."""
from __future__ import annotations

from .repositories import AssignmentRepository, MeetingRepository, ReminderRepository
from .uow import DeliveryUnitOfWork

__all__ = ["AssignmentRepository", "DeliveryUnitOfWork", "MeetingRepository", "ReminderRepository"]
