"""Insights' pages, one module per subject; insights/urls.py names them."""
