"""Insights: what the numbers say — lead-quality scorecards, the SLA reports, the weekly digest.

Reads marketing, sales and handoff; nothing imports it but the project wiring
(INSTALLED_APPS, leadflow/urls.py, the beat schedule), an import-linter contract says so.
"""
