"""Platform adapters, translations, scheduler wiring, the composition root and the CLI."""
