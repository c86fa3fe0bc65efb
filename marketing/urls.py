from django.urls import path

from .views import campaigns, capture, export, lead_detail, lead_forms, lead_review, leads, scoring

app_name = "marketing"
urlpatterns = [
    path("forms/<slug:utm_campaign>/", capture.capture_form, name="capture-form"),
    path("forms/<slug:utm_campaign>/thanks/", capture.capture_thanks, name="capture-thanks"),
    path("campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("campaigns/calendar/", campaigns.campaign_calendar, name="campaign-calendar"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/spend/", campaigns.spend_add, name="spend-add"),
    path("campaigns/<int:pk>/spend/<int:spend_pk>/delete/", campaigns.spend_delete, name="spend-delete"),
    path("campaigns/<int:pk>/spend/import/", campaigns.spend_import, name="spend-import"),
    path("campaigns/<int:pk>/form/", lead_forms.form_settings, name="form-settings"),
    path("campaigns/<int:pk>/form/questions/", lead_forms.question_add, name="question-add"),
    path(
        "campaigns/<int:pk>/form/questions/<int:question_pk>/delete/",
        lead_forms.question_delete,
        name="question-delete",
    ),
    path("leads/", leads.lead_list, name="lead-list"),
    path("leads/bulk/", leads.lead_bulk, name="lead-bulk"),
    path("leads/export.csv", export.lead_export, name="lead-export"),
    path("leads/recycled/", lead_review.recycled_list, name="recycled-list"),
    path("leads/duplicates/", lead_review.duplicate_list, name="duplicate-list"),
    path("leads/merge/", lead_review.lead_merge, name="lead-merge"),
    path("leads/<int:pk>/", lead_detail.lead_detail, name="lead-detail"),
    path("leads/<int:pk>/edit/", lead_detail.lead_edit, name="lead-edit"),
    path("leads/<int:pk>/qualify/", lead_detail.lead_qualify, name="lead-qualify"),
    path("leads/<int:pk>/disqualify/", lead_detail.lead_disqualify, name="lead-disqualify"),
    path("leads/<int:pk>/renurture/", lead_detail.lead_renurture, name="lead-renurture"),
    path("scoring/", scoring.scoring_page, name="scoring"),
    path("scoring/progress/", scoring.rescore_progress, name="rescore-progress"),
    path("scoring/threshold/", scoring.threshold_save, name="threshold-save"),
    path("scoring/fit/", scoring.fit_rule_add, name="fit-rule-add"),
    path("scoring/fit/<int:pk>/", scoring.fit_rule_edit, name="fit-rule-edit"),
    path("scoring/fit/<int:pk>/delete/", scoring.fit_rule_delete, name="fit-rule-delete"),
    path("scoring/engagement/<slug:kind>/", scoring.engagement_rule_save, name="engagement-rule-save"),
]
