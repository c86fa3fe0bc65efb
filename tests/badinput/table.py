"""The bad-input table: every bad input docs/RELIABILITY.md names ("Bad input: what it gets"), sent
to the real endpoints by the persona who would send it, with what it must get back.

Read it as a document: each module holds the rows of one way in, each row says what is sent,
by whom, and what comes back (the status, the field the error names, the rows it adds;
nothing else may change). test_table.py runs every row.
"""

from dataclasses import replace

from . import capture, files, handoff, marketing, sales, settings_pages

SECTIONS = {
    "capture API": capture.API,
    "public form": capture.FORM,
    "marketing pages": marketing.MARKETING,
    "deals API": sales.API,
    "sales pages": sales.PAGES,
    "offer pages": handoff.PAGES,
    "offers API": handoff.API,
    "reports": handoff.REPORTS,
    "settings": settings_pages.SETTINGS,
    "CSV import": files.CSV,
    "own account": files.ACCOUNT,
}
TABLE = [replace(case, way=way) for way, cases in SECTIONS.items() for case in cases]
