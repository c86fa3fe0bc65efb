from django.urls import path

from . import views

app_name = "sales-api"
urlpatterns = [
    path("deals/", views.DealList.as_view(), name="deal-list"),
    path("deals/<int:pk>/", views.DealDetail.as_view(), name="deal-detail"),
    path("deals/<int:pk>/move/", views.DealMove.as_view(), name="deal-move"),
]
