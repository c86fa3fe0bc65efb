"""Bare-Django endpoints that benchmarks measure beside the product, in the same process,
middleware and database (docs/PERFORMANCE.md, "The machine"). Mounted only with LEADFLOW_BENCH_BASELINE=1."""

from django.contrib.sessions.models import Session
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketing.models import Lead

ROW_FIELDS = ("id", "email", "first_name", "last_name", "company", "stage", "score", "created_at")


def tiny(request):
    return HttpResponse("ok")


def read(request, pk: int):
    return JsonResponse(Lead.objects.values(*ROW_FIELDS).get(pk=pk))


def rows_json(request):
    return JsonResponse({"rows": list(Lead.objects.order_by("-id").values(*ROW_FIELDS)[:50])})


def rows_html(request):
    return render(request, "bench/rows.html", {"rows": Lead.objects.order_by("-id").values(*ROW_FIELDS)[:50]})


@csrf_exempt
@require_POST
def insert(request):
    Session.objects.create(session_key=get_random_string(40), session_data="x", expire_date=timezone.now())
    return HttpResponse(status=201)


urlpatterns = [
    path("tiny/", tiny),
    path("read/<int:pk>/", read),
    path("rows.json", rows_json),
    path("rows/", rows_html),
    path("insert/", insert),
]
