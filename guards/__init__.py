"""The checks at LeadFlow's edges that every app shares.

Whatever a person types into a page, an integration sends to the API or a file brings in
passes a few checks that do not belong to any one app: a date must fall in a range the
rest of the code can compute with, and so on. They live here, once, so that marketing,
sales, handoff and the wiring all refuse the same things with the same words. This
package imports Django (and nothing of ours): every app may import it, and it imports no
app (an import-linter contract in pyproject.toml says so).
"""
