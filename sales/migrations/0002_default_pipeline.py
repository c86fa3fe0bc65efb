"""The default pipeline and its explicit transition table.

discovery → qualification → proposal → negotiation → won, one step forward or back at a
time; any open stage may be lost. Reopening a closed deal is a manager's separate action.
"""

from django.db import migrations

STAGES = [
    # slug, name, order, probability, kind, what the buyer needs at this stage
    ("discovery", "Discovery", 1, 10, "open",
     "Understand their problem. Share the customer story closest to their industry."),
    ("qualification", "Qualification", 2, 25, "open",
     "Confirm budget, authority, need and timing. Send the ROI calculator."),
    ("proposal", "Proposal", 3, 50, "open",
     "A written proposal with pricing and the implementation plan."),
    ("negotiation", "Negotiation", 4, 75, "open",
     "Security review answers, references and the contract draft."),
    ("won", "Won", 5, 100, "won", ""),
    ("lost", "Lost", 6, 0, "lost", ""),
]


def create_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    StageTransition = apps.get_model("sales", "StageTransition")
    if Pipeline.objects.filter(is_default=True).exists():
        return
    pipeline = Pipeline.objects.create(name="Sales", is_default=True)
    stages = {
        slug: Stage.objects.create(
            pipeline=pipeline, slug=slug, name=name, order=order, probability=probability, kind=kind,
            buyer_guidance=guidance,
        )
        for slug, name, order, probability, kind, guidance in STAGES
    }
    open_slugs = [slug for slug, *_rest, kind, _g in STAGES if kind == "open"]
    moves = set()
    for before, after in zip(open_slugs, open_slugs[1:]):
        moves |= {(before, after), (after, before)}
    moves |= {(slug, "lost") for slug in open_slugs}
    moves.add((open_slugs[-1], "won"))
    StageTransition.objects.bulk_create(
        StageTransition(from_stage=stages[a], to_stage=stages[b]) for a, b in sorted(moves)
    )


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(create_default_pipeline, migrations.RunPython.noop)]
