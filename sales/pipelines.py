"""The default pipeline and its explicit transition table, in one place.

discovery → qualification → proposal → negotiation → won, one step forward or back at a
time; any open stage may be lost. Reopening a closed deal is a manager's separate action.
Written against model classes passed in, so the data migration can use its historical
models and the running app its real ones.
"""

from django.db import transaction

DEFAULT_STAGES = [
    # slug, name, order, probability, kind, what the buyer needs at this stage
    ("discovery", "Discovery", 1, 10, "open",
     "Understand their problem. Share the customer story closest to their industry."),
    ("qualification", "Qualification", 2, 25, "open",
     "Confirm budget, authority, need and timing. Send the ROI calculator."),
    ("proposal", "Proposal", 3, 50, "open", "A written proposal with pricing and the implementation plan."),
    ("negotiation", "Negotiation", 4, 75, "open", "Security review answers, references and the contract draft."),
    ("won", "Won", 5, 100, "won", ""),
    ("lost", "Lost", 6, 0, "lost", ""),
]  # fmt: skip


def default_moves(open_slugs: list[str]) -> set[tuple[str, str]]:
    moves = set()
    for before, after in zip(open_slugs, open_slugs[1:], strict=False):
        moves |= {(before, after), (after, before)}
    moves |= {(slug, "lost") for slug in open_slugs}
    moves.add((open_slugs[-1], "won"))
    return moves


def ensure_default_pipeline(Pipeline, Stage, StageTransition):
    """Return the default pipeline, creating it with its stages and moves if there is none."""
    with transaction.atomic():
        pipeline, created = Pipeline.objects.get_or_create(is_default=True, defaults={"name": "Sales"})
        if not created:
            return pipeline
        stages = {
            slug: Stage.objects.create(
                pipeline=pipeline, slug=slug, name=name, order=order, probability=probability, kind=kind,
                buyer_guidance=guidance,
            )
            for slug, name, order, probability, kind, guidance in DEFAULT_STAGES
        }  # fmt: skip
        open_slugs = [slug for slug, _n, _o, _p, kind, _g in DEFAULT_STAGES if kind == "open"]
        StageTransition.objects.bulk_create(
            StageTransition(from_stage=stages[a], to_stage=stages[b]) for a, b in sorted(default_moves(open_slugs))
        )
    return pipeline


# The managed list of lost reasons starts with these; managers rename, add and retire them.
DEFAULT_LOST_REASONS = [
    "Chose a competitor",
    "No budget",
    "Price too high",
    "No decision: went quiet",
    "Bad timing",
    "Missing feature",
    "Not a fit",
    "Other",
]


def ensure_lost_reasons(LostReason) -> None:
    """Create the default lost reasons when there are none at all (a new or flushed database)."""
    if LostReason.objects.exists():
        return
    with transaction.atomic():
        for order, name in enumerate(DEFAULT_LOST_REASONS, start=1):
            LostReason.objects.get_or_create(name=name, defaults={"order": order})
