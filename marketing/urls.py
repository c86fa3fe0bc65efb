from django.urls import path

from . import views

app_name = "marketing"
urlpatterns = [
    path("forms/<slug:utm_campaign>/", views.capture_form, name="capture-form"),
    path("forms/<slug:utm_campaign>/thanks/", views.capture_thanks, name="capture-thanks"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("leads/", views.lead_list, name="lead-list"),
    path("leads/<int:pk>/", views.lead_detail, name="lead-detail"),
    path("leads/<int:pk>/qualify/", views.lead_qualify, name="lead-qualify"),
]
