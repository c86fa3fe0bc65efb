from django.urls import path

from . import views

app_name = "handoff-api"
urlpatterns = [
    path("offers/", views.OfferList.as_view(), name="offer-list"),
    path("offers/<int:pk>/accept/", views.AcceptOffer.as_view(), name="offer-accept"),
    path("offers/<int:pk>/reject/", views.RejectOffer.as_view(), name="offer-reject"),
    path("leads/<int:pk>/erase/", views.EraseLead.as_view(), name="lead-erase"),
]
