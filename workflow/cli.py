"""Command-line interface: thin wrappers over services (STYLE.md C15)."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    """Attach every command group to the app's ``flask`` CLI."""
