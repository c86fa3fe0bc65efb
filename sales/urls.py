from django.urls import path

from . import views

app_name = "sales"
urlpatterns = [
    path("deals/", views.deal_list, name="deal-list"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal-move"),
    path("deals/<int:pk>/won/", views.deal_won, name="deal-won"),
    path("deals/<int:pk>/lost/", views.deal_lost, name="deal-lost"),
    path("deals/<int:pk>/reopen/", views.deal_reopen, name="deal-reopen"),
]
