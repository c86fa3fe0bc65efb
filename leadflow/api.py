"""API plumbing shared by every app's endpoints, referenced from settings only."""

import json
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from guards.errors import as_json


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _check_strings(value: Any) -> None:
    """Reject NUL bytes and lone surrogates anywhere in the document (iteratively)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                raise exceptions.ParseError("JSON strings may not contain NUL characters.")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise exceptions.ParseError("JSON strings may not contain lone surrogates.") from None
        elif isinstance(item, float) and not math.isfinite(item):
            raise exceptions.ParseError("NaN and Infinity are not valid JSON.")


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, minus the ways malformed input turned into a 500 or bad data.

    Deep nesting raised RecursionError (a 500 on Python 3.12); NaN/Infinity, NUL bytes and
    lone surrogates were accepted and stored. Only a JSON object is a valid body.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(settings.DEFAULT_CHARSET)
        except UnicodeDecodeError:
            raise exceptions.ParseError("Request body is not valid UTF-8.") from None
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            raise exceptions.ParseError("JSON is nested too deeply.") from None
        except ValueError as exc:
            raise exceptions.ParseError(f"Malformed JSON: {exc}") from None
        if not isinstance(data, dict):
            raise exceptions.ParseError("Expected a JSON object at the top level.")
        _check_strings(data)
        return data


def exception_handler(exc, context):
    """DRF's handler, plus the apps' own errors: conflicts carry `http_status`, and a
    Django ValidationError raised by a service becomes a 400 naming its fields."""
    if isinstance(exc, ObjectDoesNotExist):
        return Response({"detail": "Not found."}, status=404)
    if isinstance(exc, DjangoValidationError):
        return Response(as_json(exc), status=400)
    status = getattr(exc, "http_status", None)
    if status is not None:
        return Response({"detail": str(exc)}, status=status)
    return drf_exception_handler(exc, context)


class Pagination(PageNumberPagination):
    """Pages of 50; a client may ask for up to 200, never for the whole table."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
