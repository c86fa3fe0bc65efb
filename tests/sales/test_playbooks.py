"""The playbook stored on each stage (written by marketing through handoff) and assets sent per deal."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sales import services
from sales.models import AssetSend, Pipeline, Stage, StageAsset
from tests.sales.helpers import deal_at, logged_in, open_deal_for, stage

pytestmark = pytest.mark.django_db

CASE_STUDY = {"title": "Logistics case study", "url": "https://example.com/case-study.pdf"}
ROI = {"title": "ROI calculator", "url": "https://example.com/roi"}


def playbook_of(slug: str) -> tuple:
    s = Stage.objects.get(pk=stage(slug).pk)
    return s.buyer_guidance, s.exit_criteria, [(a.title, a.url, a.order) for a in s.assets.all()]


def test_setting_a_playbook_stores_guidance_exit_criteria_and_ordered_assets(db):
    result = services.set_stage_playbook(
        stage_id=stage("qualification").pk,
        buyer_guidance="  Confirm budget and timing.  ",
        exit_criteria="Budget confirmed\nDecision maker met",
        assets=[ROI, CASE_STUDY],
    )
    assert result.pk == stage("qualification").pk
    assert playbook_of("qualification") == (
        "Confirm budget and timing.",
        "Budget confirmed\nDecision maker met",
        [("ROI calculator", ROI["url"], 1), ("Logistics case study", CASE_STUDY["url"], 2)],
    )


def test_setting_it_again_replaces_the_assets_and_keeps_the_send_history_of_those_kept(rep):
    services.set_stage_playbook(
        stage_id=stage("discovery").pk, buyer_guidance="", exit_criteria="", assets=[CASE_STUDY, ROI]
    )
    deal = open_deal_for(rep)
    kept = StageAsset.objects.get(url=CASE_STUDY["url"])
    services.mark_asset_sent(deal_id=deal.pk, asset_id=kept.pk, by=rep)

    renamed = {"title": "Case study: Northwind", "url": CASE_STUDY["url"]}
    new = {"title": "Security overview", "url": "http://example.com/security"}
    services.set_stage_playbook(
        stage_id=stage("discovery").pk, buyer_guidance="x", exit_criteria="", assets=[new, renamed]
    )

    assert playbook_of("discovery")[2] == [
        ("Security overview", new["url"], 1),
        ("Case study: Northwind", CASE_STUDY["url"], 2),
    ]
    assert StageAsset.objects.get(url=CASE_STUDY["url"]).pk == kept.pk
    assert AssetSend.objects.filter(deal=deal, asset=kept).exists()
    assert not StageAsset.objects.filter(url=ROI["url"]).exists()


@pytest.mark.parametrize(
    "assets",
    [
        [{"title": "Script", "url": "javascript:alert(1)"}],
        [{"title": "Local", "url": "file:///etc/passwd"}],
        [{"title": "No scheme", "url": "example.com/roi"}],
        [{"title": "", "url": "https://example.com/x"}],
        [{"url": "https://example.com/x"}],
        [CASE_STUDY, {"title": "Same link", "url": CASE_STUDY["url"]}],
        [{"title": "x" * 201, "url": "https://example.com/x"}],
        ["https://example.com/not-a-dict"],
    ],
)
def test_a_bad_asset_is_refused_naming_it_and_nothing_changes(db, assets):
    services.set_stage_playbook(stage_id=stage("proposal").pk, buyer_guidance="Before", exit_criteria="", assets=[ROI])
    before = playbook_of("proposal")
    with pytest.raises(ValidationError) as error:
        services.set_stage_playbook(
            stage_id=stage("proposal").pk, buyer_guidance="After", exit_criteria="", assets=assets
        )
    assert "assets" in error.value.message_dict
    assert "Asset " in error.value.message_dict["assets"][-1]
    assert playbook_of("proposal") == before


def test_oversized_guidance_is_refused(db):
    with pytest.raises(ValidationError) as error:
        services.set_stage_playbook(
            stage_id=stage("proposal").pk, buyer_guidance="x" * 5001, exit_criteria="", assets=[]
        )
    assert "buyer_guidance" in error.value.message_dict


def test_marking_an_asset_sent_is_recorded_once(rep):
    services.set_stage_playbook(stage_id=stage("discovery").pk, buyer_guidance="", exit_criteria="", assets=[ROI])
    deal = open_deal_for(rep)
    asset = StageAsset.objects.get()
    first = services.mark_asset_sent(deal_id=deal.pk, asset_id=asset.pk, by=rep)
    again = services.mark_asset_sent(deal_id=deal.pk, asset_id=asset.pk, by=rep)
    assert first.pk == again.pk
    assert (first.sent_by, AssetSend.objects.count()) == (rep, 1)


def test_assets_of_earlier_stages_may_be_sent_but_not_of_later_ones(rep):
    for slug in ("discovery", "negotiation"):
        services.set_stage_playbook(
            stage_id=stage(slug).pk,
            buyer_guidance="",
            exit_criteria="",
            assets=[{"title": slug, "url": f"https://x.example/{slug}"}],
        )
    deal = deal_at(rep, "qualification")
    earlier, later = StageAsset.objects.get(title="discovery"), StageAsset.objects.get(title="negotiation")
    services.mark_asset_sent(deal_id=deal.pk, asset_id=earlier.pk, by=rep)
    with pytest.raises(ValidationError) as error:
        services.mark_asset_sent(deal_id=deal.pk, asset_id=later.pk, by=rep)
    assert "later stage" in error.value.message_dict["asset"][0]
    assert list(AssetSend.objects.values_list("asset_id", flat=True)) == [earlier.pk]


def test_an_asset_of_another_pipeline_is_refused(rep):
    other = Pipeline.objects.create(name="Partners")
    intro = Stage.objects.create(pipeline=other, name="Intro", slug="intro", order=1, probability=10)
    services.set_stage_playbook(stage_id=intro.pk, buyer_guidance="", exit_criteria="", assets=[ROI])
    deal = open_deal_for(rep)
    with pytest.raises(ValidationError):
        services.mark_asset_sent(deal_id=deal.pk, asset_id=StageAsset.objects.get().pk, by=rep)
    assert not AssetSend.objects.exists()


def test_the_deal_page_shows_the_current_stages_playbook_and_marks_an_asset_sent(rep):
    services.set_stage_playbook(
        stage_id=stage("discovery").pk,
        buyer_guidance="Share the customer story closest to their industry.",
        exit_criteria="Pain confirmed\nNext meeting booked",
        assets=[CASE_STUDY],
    )
    deal = open_deal_for(rep)
    client = logged_in(rep)
    page = client.get(reverse("sales:deal-detail", args=[deal.pk])).text
    for text in (
        "What the buyer needs now",
        "closest to their industry",
        "Next meeting booked",
        "Logistics case study",
    ):
        assert text in page
    asset = StageAsset.objects.get()
    url = reverse("sales:asset-sent", args=[deal.pk, asset.pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Sent " in response.text and "1 of 1 sent" in response.text
    assert AssetSend.objects.filter(deal=deal, asset=asset, sent_by=rep).exists()


def test_another_salesperson_cannot_mark_an_asset_sent_on_my_deal(rep, teammate):
    services.set_stage_playbook(stage_id=stage("discovery").pk, buyer_guidance="", exit_criteria="", assets=[ROI])
    deal = open_deal_for(rep)
    url = reverse("sales:asset-sent", args=[deal.pk, StageAsset.objects.get().pk])
    assert logged_in(teammate).post(url).status_code == 404
    assert not AssetSend.objects.exists()


def test_marking_a_later_stages_asset_from_the_page_is_a_bad_request(rep):
    services.set_stage_playbook(stage_id=stage("proposal").pk, buyer_guidance="", exit_criteria="", assets=[ROI])
    deal = open_deal_for(rep)
    url = reverse("sales:asset-sent", args=[deal.pk, StageAsset.objects.get().pk])
    response = logged_in(rep).post(url, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "later stage" in response.text
    assert not AssetSend.objects.exists()
