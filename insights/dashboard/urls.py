from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("leads/", views.lead_list, name="leads"),
    path("deals/", views.deal_list, name="deals"),
    path("offers/", views.offer_list, name="offers"),
    path("rejections/", views.rejection_list, name="rejections"),
    path("export/<slug:widget>.csv", views.export_csv, name="export"),
]
