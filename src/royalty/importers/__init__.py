"""Importers: each turns one source of listening history into the plays schema."""
