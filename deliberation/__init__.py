"""The deliberation domain: motions, debate rules, counting, the event chain. Standard library only."""
