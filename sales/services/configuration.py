"""What managers configure: pipelines, their stages and allowed moves, and the lost reasons."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils.text import slugify

from ..models import Deal, DealStageChange, LostReason, Pipeline, Stage, StageTransition
from ..pipelines import DEFAULT_STAGES, default_moves, ensure_lost_reasons

# Orders are moved out of the way first: (pipeline, order) is unique at every statement.
_PARKED = 10_000


def create_pipeline(*, name: str) -> Pipeline:
    """A new pipeline with the default stages and moves, ready to be renamed and reshaped."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Give the pipeline a name (up to 100 characters)."})
    if Pipeline.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "There is already a pipeline with that name."})
    try:
        with transaction.atomic():
            pipeline = Pipeline.objects.create(name=name)
            stages = {
                slug: Stage.objects.create(
                    pipeline=pipeline, slug=slug, name=label, order=order, probability=probability, kind=kind,
                    buyer_guidance=guidance,
                )
                for slug, label, order, probability, kind, guidance in DEFAULT_STAGES
            }  # fmt: skip
            open_slugs = [slug for slug, *_rest, kind, _g in DEFAULT_STAGES if kind == Stage.Kind.OPEN]
            StageTransition.objects.bulk_create(
                StageTransition(from_stage=stages[a], to_stage=stages[b]) for a, b in sorted(default_moves(open_slugs))
            )
    except IntegrityError:
        raise ValidationError({"name": "There is already a pipeline with that name."}) from None
    return pipeline


def rename_pipeline(*, pipeline_id: int, name: str, is_default: bool) -> Pipeline:
    """Rename a pipeline; making it the default moves the flag off the old default."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Give the pipeline a name (up to 100 characters)."})
    if Pipeline.objects.filter(name__iexact=name).exclude(pk=pipeline_id).exists():
        raise ValidationError({"name": "There is already a pipeline with that name."})
    with transaction.atomic():
        pipeline = Pipeline.objects.select_for_update().get(pk=pipeline_id)
        if pipeline.is_default and not is_default:
            raise ValidationError({"is_default": "Make another pipeline the default instead: new deals need one."})
        if is_default and not pipeline.is_default:
            Pipeline.objects.filter(is_default=True).update(is_default=False)
        pipeline.name, pipeline.is_default = name, is_default
        pipeline.save(update_fields=["name", "is_default"])
    return pipeline


def save_stages(*, pipeline_id: int, stages: list[dict]) -> Pipeline:
    """Replace a pipeline's stages, in the given order; each dict: id (None for new), name, probability, kind."""
    with transaction.atomic():
        pipeline = Pipeline.objects.select_for_update().get(pk=pipeline_id)
        current = {stage.pk: stage for stage in pipeline.stages.all()}
        _validate_stages(stages, current)
        keep = {item["id"] for item in stages if item.get("id")}
        removed = [stage for pk, stage in current.items() if pk not in keep]
        _check_removable(removed)
        Stage.objects.filter(pk__in=[stage.pk for stage in removed]).delete()
        pipeline.stages.update(order=F("order") + _PARKED)
        taken = {stage.slug for pk, stage in current.items() if pk in keep}
        added = []
        for order, item in enumerate(stages, start=1):
            values = {"name": item["name"].strip(), "probability": item["probability"], "kind": item["kind"]}
            values["order"] = order
            if item.get("id"):
                Stage.objects.filter(pk=item["id"]).update(**values)
            else:
                slug = _free_slug(values["name"], taken)
                taken.add(slug)
                added.append(Stage.objects.create(pipeline=pipeline, slug=slug, **values))
        _connect_new_stages(pipeline, added)
    return pipeline


def set_transitions(*, pipeline_id: int, moves: list[tuple[int, int]]) -> int:
    """Replace the table of allowed moves of a pipeline; returns how many moves it now has."""
    stages = {stage.pk: stage for stage in Stage.objects.filter(pipeline_id=pipeline_id)}
    problems = []
    for from_id, to_id in moves:
        if from_id not in stages or to_id not in stages:
            problems.append("A move names a stage of another pipeline.")
        elif from_id == to_id:
            problems.append(f"{stages[from_id].name} cannot move to itself.")
        elif stages[from_id].is_closed:
            problems.append(f"{stages[from_id].name} is a closed stage: only a manager's reopen leaves it.")
    if problems:
        raise ValidationError({"moves": sorted(set(problems))})
    wanted = set(moves)
    if not any(stages[to_id].kind == Stage.Kind.WON for _from, to_id in wanted):
        raise ValidationError({"moves": "At least one stage must lead to Won, or no deal could ever be won."})
    with transaction.atomic():
        StageTransition.objects.filter(from_stage__pipeline_id=pipeline_id).delete()
        StageTransition.objects.bulk_create(StageTransition(from_stage_id=a, to_stage_id=b) for a, b in sorted(wanted))
    return len(wanted)


def add_lost_reason(*, name: str) -> LostReason:
    """Add a reason to the end of the managed list."""
    ensure_lost_reasons(LostReason)
    name = _reason_name(name)
    if LostReason.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "That reason is already on the list."})
    last = LostReason.objects.aggregate(last=Max("order"))["last"] or 0
    try:
        with transaction.atomic():
            return LostReason.objects.create(name=name, order=last + 1)
    except IntegrityError:
        raise ValidationError({"name": "That reason is already on the list."}) from None


def update_lost_reason(*, reason_id: int, name: str, order: int, is_active: bool) -> LostReason:
    """Rename, reorder, retire or bring back a reason; deals already lost keep the name they had."""
    name = _reason_name(name)
    if not 0 <= order <= 999:
        raise ValidationError({"order": "Use a position from 0 to 999."})
    if LostReason.objects.filter(name__iexact=name).exclude(pk=reason_id).exists():
        raise ValidationError({"name": "That reason is already on the list."})
    reason = LostReason.objects.get(pk=reason_id)
    if not is_active and not LostReason.objects.filter(is_active=True).exclude(pk=reason_id).exists():
        raise ValidationError({"is_active": "Keep at least one reason: losing a deal needs one."})
    reason.name, reason.order, reason.is_active = name, order, is_active
    try:
        with transaction.atomic():
            reason.save(update_fields=["name", "order", "is_active"])
    except IntegrityError:
        raise ValidationError({"name": "That reason is already on the list."}) from None
    return reason


def _reason_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationError({"name": "Give the reason a name (up to 100 characters)."})
    return name


def _validate_stages(stages: list[dict], current: dict) -> None:
    problems, names = [], set()
    for number, item in enumerate(stages, start=1):
        name = str(item.get("name") or "").strip()
        label = name or f"Stage {number}"
        if not name or len(name) > 100:
            problems.append(f"Stage {number}: give it a name (up to 100 characters).")
        elif name.lower() in names:
            problems.append(f"{label}: two stages have this name.")
        names.add(name.lower())
        probability = item.get("probability")
        if not isinstance(probability, int) or not 0 <= probability <= 100:
            problems.append(f"{label}: the probability is a percentage from 0 to 100.")
        if item.get("kind") not in Stage.Kind.values:
            problems.append(f"{label}: choose open, won or lost.")
        stage_id = item.get("id")
        if stage_id and stage_id not in current:
            problems.append(f"{label}: that stage is not in this pipeline.")
        elif stage_id and current[stage_id].kind != item.get("kind") and current[stage_id].deals.exists():
            problems.append(f"{label}: it holds deals, so it cannot change between open, won and lost.")
    kinds = [item.get("kind") for item in stages]
    if kinds.count(Stage.Kind.WON) != 1 or kinds.count(Stage.Kind.LOST) != 1:
        problems.append("A pipeline has exactly one Won and one Lost stage.")
    if Stage.Kind.OPEN not in kinds:
        problems.append("A pipeline needs at least one open stage.")
    if problems:
        raise ValidationError({"stages": problems})


def _check_removable(removed: list[Stage]) -> None:
    ids = [stage.pk for stage in removed]
    used = set(Deal.objects.filter(stage_id__in=ids).values_list("stage_id", flat=True))
    used |= set(
        DealStageChange.objects.filter(Q(from_stage_id__in=ids) | Q(to_stage_id__in=ids)).values_list(
            "to_stage_id", flat=True
        )
    ) & set(ids)
    if used:
        names = ", ".join(sorted(stage.name for stage in removed if stage.pk in used))
        raise ValidationError({"stages": f"{names}: deals are or were in it, so it stays (rename it instead)."})


def _free_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:90] or "stage"
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def _connect_new_stages(pipeline: Pipeline, added: list[Stage]) -> None:
    """A new open stage gets moves to and from its open neighbours and to Lost (the last one to Won)."""
    new_open = [stage for stage in added if stage.kind == Stage.Kind.OPEN]
    if not new_open:
        return
    stages = list(pipeline.stages.order_by("order"))
    open_stages = [stage for stage in stages if stage.kind == Stage.Kind.OPEN]
    won = next(stage for stage in stages if stage.kind == Stage.Kind.WON)
    lost = next(stage for stage in stages if stage.kind == Stage.Kind.LOST)
    moves = set()
    for stage in new_open:
        index = open_stages.index(stage)
        for neighbour in open_stages[max(index - 1, 0) : index + 2]:
            if neighbour != stage:
                moves |= {(stage.pk, neighbour.pk), (neighbour.pk, stage.pk)}
        moves.add((stage.pk, lost.pk))
        if stage == open_stages[-1]:
            moves.add((stage.pk, won.pk))
    existing = set(
        StageTransition.objects.filter(from_stage__pipeline=pipeline).values_list("from_stage_id", "to_stage_id")
    )
    StageTransition.objects.bulk_create(
        StageTransition(from_stage_id=a, to_stage_id=b) for a, b in sorted(moves - existing)
    )
