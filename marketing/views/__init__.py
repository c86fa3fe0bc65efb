"""Marketing's pages, one module per subject (urls.py imports the modules)."""
