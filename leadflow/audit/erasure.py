"""An erasure (GDPR art. 17) reaches the audit log too.

Handoff records each erasure as a handoff.Erasure row, in the transaction that anonymised
the person's leads and deals. When one is created, those objects' entries lose every value
they kept (names, addresses, the deal's contact) and their name; who changed which field,
and when, stays.
"""

from django.contrib.contenttypes.models import ContentType

from marketing.models import Lead
from sales.models import Deal

from .models import AuditEntry

ERASED = "(erased)"


def scrub_erased(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created:
        return
    for model, ids in ((Lead, instance.lead_ids), (Deal, instance.deal_ids)):
        entries = list(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
            ).only("pk", "object_id", "changes")
        )
        for entry in entries:
            entry.object_repr = f"{model._meta.verbose_name.capitalize()} #{entry.object_id} (erased)"
            entry.changes = {name: [ERASED if value else "" for value in pair] for name, pair in entry.changes.items()}
        AuditEntry.objects.bulk_update(entries, ["object_repr", "changes"])
