"""Blueprints, imported by the app factory in this order."""

from workflow.views import account, admin, asn, auth, committee, findings, health, inspector, log, processes, public

BLUEPRINTS = (
    health.bp, public.bp, auth.bp, account.bp, log.bp, processes.bp, committee.bp, findings.bp, asn.bp,
    inspector.bp, admin.bp,
)
