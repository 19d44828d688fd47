"""Test doubles for external services.

``tests.fakes.fake_bot_api`` — a fake Telegram Bot API server (import from that module
directly; this package deliberately imports nothing so that
``python -m tests.fakes.fake_bot_api`` does not load the module twice).
"""
