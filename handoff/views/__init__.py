"""Handoff's pages, one module per subject; handoff/urls.py names them."""
