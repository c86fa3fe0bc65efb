"""Which playbook assets go with deals that progress: from sales' AssetSend and stage history."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from sales.models import AssetSend, DealStageChange, Stage, StageAsset

MOVED_ON = (Stage.Kind.OPEN, Stage.Kind.WON)
SIGNIFICANT = 5  # percentage points an asset must beat its stage by to be marked


@dataclass(frozen=True)
class AssetResult:
    asset: StageAsset
    sent: int
    moved_on: int
    won: int

    versus: str = ""  # "up" / "down": 5 points or more above / below the stage's baseline

    @property
    def moved_on_pct(self) -> float | None:
        return round(100 * self.moved_on / self.sent, 1) if self.sent else None

    def against(self, baseline: "StageBaseline | None") -> "AssetResult":
        """The same result, marked when it beats or trails the stage's deals by 5 points or more."""
        if baseline is None or baseline.moved_on_pct is None or self.moved_on_pct is None:
            return self
        gap = self.moved_on_pct - baseline.moved_on_pct
        versus = "up" if gap >= SIGNIFICANT else "down" if gap <= -SIGNIFICANT else ""
        return AssetResult(self.asset, self.sent, self.moved_on, self.won, versus)


@dataclass(frozen=True)
class StageBaseline:
    deals: int
    moved_on: int

    @property
    def moved_on_pct(self) -> float | None:
        return round(100 * self.moved_on / self.deals, 1) if self.deals else None


def _moved_on_after(deal_ref, since_ref, order_ref):
    return Exists(
        DealStageChange.objects.filter(
            deal=deal_ref, changed_at__gte=since_ref, to_stage__order__gt=order_ref, to_stage__kind__in=MOVED_ON
        )
    )


def asset_results(stages) -> dict[int, list[AssetResult]]:
    """stage id → its assets with: deals sent to, of those moved to a later stage, won."""
    sends = (
        AssetSend.objects.filter(asset__stage__in=stages)
        .annotate(moved=_moved_on_after(OuterRef("deal_id"), OuterRef("sent_at"), OuterRef("asset__stage__order")))
        .values("asset_id")
        .annotate(
            n=Count("*"),
            moved=Count("pk", filter=Q(moved=True)),
            won=Count("pk", filter=Q(deal__stage__kind=Stage.Kind.WON)),
        )
        .order_by()
    )
    numbers = {row["asset_id"]: row for row in sends}
    results: dict[int, list[AssetResult]] = {}
    for asset in StageAsset.objects.filter(stage__in=stages).order_by("stage", "order", "id"):
        row = numbers.get(asset.pk, {})
        results.setdefault(asset.stage_id, []).append(
            AssetResult(asset=asset, sent=row.get("n", 0), moved_on=row.get("moved", 0), won=row.get("won", 0))
        )
    return results


def stage_baselines(stages) -> dict[int, StageBaseline]:
    """stage id → deals that entered it, and how many of them moved on: what an asset beats."""
    entries = (
        DealStageChange.objects.filter(to_stage__in=stages)
        .annotate(moved=_moved_on_after(OuterRef("deal_id"), OuterRef("changed_at"), OuterRef("to_stage__order")))
        .values("to_stage_id")
        .annotate(deals=Count("deal_id", distinct=True), moved=Count("deal_id", filter=Q(moved=True), distinct=True))
        .order_by()
    )
    return {row["to_stage_id"]: StageBaseline(deals=row["deals"], moved_on=row["moved"]) for row in entries}
