"""A consumer: pays a provider's request with a token from the Payment Server.

    PAYMENT_SERVER_URL=http://127.0.0.1:3000 PAYMENT_API_KEY=psk_shop_... \
    PROVIDER=billing PROVIDER_URL=http://127.0.0.1:8000/invoices python3 consumer.py

Gets the next token of the consumer's open channel to PROVIDER (POST /api/payment/tokens, with
the consumer's API key), calls PROVIDER_URL with it in the payment-token header, and prints the
provider's status and answer as one JSON line. Exits 0 when the provider answered 2xx, 1 when it
refused (e.g. 402), 2 when the Payment Server gave no token.
"""

import json
import sys
import urllib.error
import urllib.request

from payment_server import TOKEN_HEADER, PaymentServerError, call, error_of, setting


def token_for(provider, api_key, server_url=None):
    """The next token (wire format) of the caller's open channel to `provider` (name or 0x address)."""
    status, answer = call("/api/payment/tokens", {"provider": provider, "count": 1}, api_key, server_url)
    if status != 200:
        code, message = error_of(answer)
        raise PaymentServerError(status, code, message)
    return answer["tokens"][0]


def paid_request(url, token, method="GET", body=None, timeout=30):
    """Calls a provider with `token` in the payment-token header; returns (status, answer)."""
    headers = {TOKEN_HEADER: token}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as answer:
        return answer.code, json.load(answer)


def main():
    provider = setting("PROVIDER")
    url = setting("PROVIDER_URL")
    try:
        token = token_for(provider, setting("PAYMENT_API_KEY"))
    except PaymentServerError as refused:
        print(json.dumps({"error": {"code": refused.code, "message": refused.message}}), file=sys.stderr)
        return 2
    status, answer = paid_request(url, token)
    print(json.dumps({"status": status, "answer": answer}))
    return 0 if 200 <= status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
