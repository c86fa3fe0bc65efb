from django.urls import path

from . import views

app_name = "handoff"
urlpatterns = [
    path("offers/", views.inbox, name="inbox"),
    path("offers/<int:pk>/accept/", views.accept, name="offer-accept"),
    path("offers/<int:pk>/reject/", views.reject, name="offer-reject"),
]
