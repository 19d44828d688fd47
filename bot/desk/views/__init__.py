"""Texts a council sees, composed once and shared by the desk and the alarm clock."""
