from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("new/", views.token_create, name="token-create"),
    path("<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
