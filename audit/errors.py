"""Typed errors of the audit library: one base class; each error says what failed and where.

Import rule: standard library only.
"""

from __future__ import annotations


class AuditError(Exception):
    """Base class of every error raised by ``audit``."""
