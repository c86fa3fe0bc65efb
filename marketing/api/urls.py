from django.urls import path

from . import views

app_name = "marketing-api"
urlpatterns = [
    path("capture/", views.CaptureView.as_view(), name="capture"),
]
