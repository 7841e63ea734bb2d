"""A provider: an HTTP service that is paid one token per request.

    PAYMENT_SERVER_URL=http://127.0.0.1:3000 PAYMENT_API_KEY=psk_billing_... \
    PORT=8000 PRICE=1000 python3 provider.py

Each request must carry a token in the payment-token header. The provider verifies it with the
Payment Server (POST /api/payment/tokens/verify, with the provider's API key, and the route's
PRICE in wei per request when set: a channel paying less is refused as terms_rejected) and
answers 200 with the payment on acceptance, 402 {"error": {"code", "message"}} on a refusal (a
replayed token: count_already_accepted), 503 when the Payment Server cannot judge it (fail
closed: nothing is served unpaid). Prints "listening on http://HOST:PORT" once it serves.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from payment_server import TOKEN_HEADER, PaymentServerError, call, error_of, setting

# Codes of the Payment Server's own failures: the token was not judged (503, not 402).
UNAVAILABLE = {"chain_unavailable", "database_unavailable", "internal_error", "rate_limited"}


def verify(token, api_key, price=None, server_url=None):
    """Judges one token: (200, payment) when accepted, else (status, {"error": {...}}) to answer."""
    if not token:
        return 402, {"error": {"code": "token_missing", "message": f"This service needs a payment token in the {TOKEN_HEADER} header."}}
    body = {"token": token.strip()}
    if price:
        body["price"] = price
    try:
        status, answer = call("/api/payment/tokens/verify", body, api_key, server_url)
    except PaymentServerError as failure:
        return 503, {"error": {"code": failure.code, "message": "The Payment Server could not verify the token; try again later."}}
    if status == 200:
        return 200, {key: answer[key] for key in ("channel", "tokenId", "requests", "value")}
    code, message = error_of(answer)
    if status in (400, 402, 403, 410) and code not in UNAVAILABLE:
        return 402, {"error": {"code": code, "message": message}}
    return 503, {"error": {"code": "payment_server_unavailable", "message": f"The Payment Server could not verify the token ({code}); try again later."}}


class PaidHandler(BaseHTTPRequestHandler):
    """Answers every GET and POST once its token is accepted; what it serves is the payment itself."""

    api_key = ""
    price = None

    def do_GET(self):
        status, result = verify(self.headers.get(TOKEN_HEADER), self.api_key, self.price)
        if status == 200:
            self.answer(200, {"payment": result, "path": self.path})
        else:
            self.answer(status, result)

    def do_POST(self):
        # The body is read whatever the verdict, so the connection stays usable.
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.do_GET()

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        # One line per call on stderr, without the token.
        sys.stderr.write(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}\n")


def main():
    PaidHandler.api_key = setting("PAYMENT_API_KEY")
    PaidHandler.price = setting("PRICE", "") or None
    setting("PAYMENT_SERVER_URL")
    host = setting("HOST", "127.0.0.1")
    server = ThreadingHTTPServer((host, int(setting("PORT", "8000"))), PaidHandler)
    print(f"listening on http://{host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()


if __name__ == "__main__":
    main()
