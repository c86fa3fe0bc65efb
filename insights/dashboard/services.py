"""The dashboard's use cases: keeping its rollups current. Tasks and commands call these."""

from .rollups import refresh as rollups


def refresh_rollups() -> rollups.RefreshReport:
    """Fold whatever changed since the last run into the facts and cells (a full build the first time)."""
    return rollups.refresh()


def rebuild_rollups() -> rollups.RefreshReport:
    """Derive every fact and cell again from the raw tables (nightly, and after bulk loads)."""
    return rollups.rebuild_all()
