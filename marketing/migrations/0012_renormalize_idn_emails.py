"""Stored identities re-read with today's normaliser: a punycode domain is now its Unicode
spelling (user@xn--bcher-kva.example is user@bücher.example), see marketing/emails.py.

Nothing is merged here. When two leads turn out to be one address (or a lead's new address
is another lead's alias), every row involved keeps its stored address and both leads are
flagged for review: the lead page says why and the duplicates page groups them, where a
marketer merges them if they are one person. Addresses the normaliser now refuses are kept
and flagged the same way. Re-running is harmless: a second pass finds nothing to change.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import migrations, models
from django.db.models import Q

# Rows whose identity can change: a punycode label, or anything beyond printable ASCII
# (the new folding re-composes a few letters). Plain ASCII addresses read the same as before.
MAY_CHANGE = Q(email_normalized__contains="xn--") | Q(email_normalized__regex=r"[^ -~]")
BATCH = 1000


def renormalize(apps, schema_editor):
    # Today's rules, on purpose: this migration exists to bring old rows to them.
    from marketing import dedupe, duplicates
    from marketing.emails import normalize_email, review_reason_for

    Lead = apps.get_model("marketing", "Lead")
    Alias = apps.get_model("marketing", "LeadEmailAlias")

    def renamed(rows):
        """(row id, owning lead id, old, new) for every row whose identity changes; refused
        ones come back with new=None."""
        for pk, lead_id, old in rows:
            if old.rpartition("@")[2].endswith("invalid"):
                continue  # LeadFlow's own stand-ins (imports, merges, erasures): never typed
            try:
                new = normalize_email(old)
            except ValidationError:
                new = None
            if new != old:
                yield pk, lead_id, old, new

    leads = list(renamed(Lead.objects.filter(MAY_CHANGE).values_list("pk", "pk", "email_normalized").iterator(BATCH)))
    aliases = list(
        renamed(Alias.objects.filter(MAY_CHANGE).values_list("pk", "lead_id", "email_normalized").iterator(BATCH))
    )
    targets = {new for *_, new in leads + aliases if new}
    # Who claims each new address once everything moved: its rows as they stand, and movers.
    claims: dict[str, set[int]] = defaultdict(set)
    for value, lead_id in Lead.objects.filter(email_normalized__in=targets).values_list("email_normalized", "pk"):
        claims[value].add(lead_id)
    for value, lead_id in Alias.objects.filter(email_normalized__in=targets).values_list("email_normalized", "lead_id"):
        claims[value].add(lead_id)
    for _, lead_id, _, new in leads + aliases:
        if new:
            claims[new].add(lead_id)

    flags: dict[int, str] = {}
    moves: dict[int, str] = {}
    for pk, _, old, new in leads:
        if new is None:
            flags[pk] = "This email no longer passes the address check; correct it or erase the lead."
        elif len(claims[new]) > 1:
            for lead_id in claims[new]:
                flags[lead_id] = duplicates.SAME_ADDRESS
        else:
            moves[pk] = new
    taken = set(Alias.objects.filter(email_normalized__in=targets).values_list("email_normalized", flat=True))
    for pk, lead_id, _, new in aliases:
        if new and len(claims[new]) > 1:
            for claimant in claims[new]:
                flags[claimant] = duplicates.SAME_ADDRESS
        elif new and new not in taken:  # a second alias of one lead to the same address stays as it was
            taken.add(new)
            Alias.objects.filter(pk=pk).update(email_normalized=new)

    for pk, new in moves.items():
        lead = Lead.objects.only("review_reason").get(pk=pk)
        Lead.objects.filter(pk=pk).update(
            email_normalized=new,
            work_domain=dedupe.work_domain(new),
            review_reason=lead.review_reason or review_reason_for(new),
        )
    for pk, reason in flags.items():
        lead = Lead.objects.only("review_reason").get(pk=pk)
        if reason not in lead.review_reason:
            Lead.objects.filter(pk=pk).update(review_reason=" ".join([reason, lead.review_reason]).strip()[:200])
    if flags:
        print(f"\n  {len(flags)} lead(s) flagged for review: same address in another spelling, or refused.")


class Migration(migrations.Migration):
    dependencies = [("marketing", "0011_scoring_settings_source_from")]

    operations = [
        # The leads flagged for a person's eye, the duplicates page reads them (few rows).
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(condition=~Q(review_reason=""), fields=["review_reason"], name="lead_needs_review"),
        ),
        migrations.RunPython(renormalize, migrations.RunPython.noop, elidable=True),
    ]
