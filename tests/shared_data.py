"""Where the public data sets of shared/data are (see its PROVENANCE.md).

They live beside the repository, wherever it is checked out; CI's clean clone
may be elsewhere on the machine, hence the fixed fallback and LEADFLOW_SHARED_DATA.
"""

import os
from pathlib import Path

CANDIDATES = [
    Path(os.environ["LEADFLOW_SHARED_DATA"]) if os.environ.get("LEADFLOW_SHARED_DATA") else None,
    Path(__file__).resolve().parents[2] / "shared" / "data",
    Path("/work/shared/data"),
]


def shared_data(relative: str) -> Path:
    """The first existing copy of `relative` (else the first candidate, which doesn't exist)."""
    paths = [base / relative for base in CANDIDATES if base is not None]
    return next((path for path in paths if path.exists()), paths[0])
