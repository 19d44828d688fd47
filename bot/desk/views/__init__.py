"""Every text a council sees, rendered for the desk and the alarm alike."""
