"""Calls to the Payment Server's HTTP API, shared by consumer.py and provider.py.

Standard library only. The API is described by the OpenAPI document the Payment Server serves at
/api/payment/openapi.json (rendered at /api/docs): every call but health sends the service's API
key as "Authorization: Bearer <key>", amounts are decimal wei strings, and every error answer is
{"error": {"code": ..., "message": ...}}.
"""

import json
import os
import urllib.error
import urllib.request

# The header a consumer sends its token in, and a provider reads it from.
TOKEN_HEADER = "payment-token"


class PaymentServerError(Exception):
    """The Payment Server refused a call or could not be reached; `code` says why."""

    def __init__(self, status, code, message):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def setting(name, default=None):
    """An environment variable, or its default; exits with a sentence when a required one is unset."""
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise SystemExit(f"Set {name} (see example/python/README.md).")
    return value


def call(path, body, api_key, server_url=None, timeout=10):
    """POSTs `body` as JSON to the Payment Server; returns (status, answer as parsed JSON).

    A 4xx or 5xx answer is returned like a 200 (its body is {"error": {...}}); an unreachable
    server or an answer that is not JSON raises PaymentServerError with code
    payment_server_unavailable.
    """
    url = (server_url or setting("PAYMENT_SERVER_URL")).rstrip("/") + path
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {api_key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as answer:
        try:
            return answer.code, json.load(answer)
        except ValueError:
            raise PaymentServerError(answer.code, "payment_server_unavailable", f"The Payment Server answered {answer.code} without JSON.")
    except (urllib.error.URLError, OSError, ValueError) as failure:
        raise PaymentServerError(503, "payment_server_unavailable", f"The Payment Server could not be reached ({failure}).")


def error_of(answer):
    """The (code, message) of an error answer, whatever its shape."""
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict):
        return "unexpected_answer", "The Payment Server answered something else than an error."
    return str(error.get("code")), str(error.get("message"))
