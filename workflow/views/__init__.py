"""Blueprints, imported by the app factory in this order."""

from workflow.views import health

BLUEPRINTS = (health.bp,)
