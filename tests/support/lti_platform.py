"""An LTI 1.3 platform (the LMS) for the tests, built on the independent
`lti1p3platform` package from PyPI: its registration, OIDC login, message
launch, deep linking validation, access tokens and token checks.

Usage: python lti_platform.py PORT

One process serves every test of a file. Each test is a tenant, named by
its Agora's port, under `/t/<port>/`: the platform's issuer is
`http://127.0.0.1:PORT/t/<port>` and the tool it knows is
`http://127.0.0.1:<port>`. Prints `ready` once it listens; exits when its
standard input closes (the test process ended).

- GET  /t/<p>/start?target=&user=&role=&scenario=&kind=resource|deep
       -> 302 to Agora's login initiation (the library's preflight URL)
- GET  /t/<p>/auth   Agora's authorization request -> the auto-posted launch
       form (id_token, state), changed as `scenario` says
- GET  /t/<p>/jwks   the platform's keys
- POST /t/<p>/token  client_credentials with a JWT assertion -> access token
- POST /t/<p>/lineitems/<id>/scores  records a score (bearer token checked)
- POST /t/<p>/deep-link-return  validates the LtiDeepLinkingResponse
- GET  /t/<p>/memberships/<context>[?page=N]  the context's roster (Names and
       Role Provisioning Services 2.0): bearer token checked for the roster
       scope, `Accept` checked, paged with `Link: <...>; rel="next"`
- GET  /t/<p>/memberships/<context>/refused  answers 403, as a platform that
       withholds its roster
- POST /t/<p>/roster  the test sets the roster: {"page_size": n, "members": [...]}
- GET  /t/<p>/received  what was recorded: {"scores": [...], "deep_links": [...],
       "roster_pages": [...], "tokens": [...]}

A tenant `<port>b` is a second platform (its own issuer) for the same Agora.
The launch's `nrps` hint: `on` (default) sends the roster claim with the
harness's address, `down` an address where nothing listens, `refused` the
refusing address, `off` no claim.
"""

import base64
import html
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context, ContextMembership, Status
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

PORT = int(sys.argv[1])
CLIENT_ID = "agora-client"
DEPLOYMENT_ID = "deployment-1"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
ROSTER_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ROSTER_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LOCK = threading.Lock()
RECEIVED = {}
ROSTERS = {}
CONTEXT_TITLE = "Civic course"


def pem_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


PRIVATE, PUBLIC = pem_pair()
# What a forger signs with: not the platform's key.
FORGER_PRIVATE, _ = pem_pair()


def base(tenant):
    return f"http://127.0.0.1:{PORT}/t/{tenant}"


def tool(tenant):
    return f"http://127.0.0.1:{tenant.rstrip('b')}"


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, tenant, launch_url=None):
        self._registration = (
            Registration()
            .set_iss(base(tenant))
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(tool(tenant) + "/lti/login")
            .set_launch_url(launch_url or tool(tenant) + "/lti/launch")
            .set_deeplink_launch_url(tool(tenant) + "/lti/deep-link")
            .set_tool_key_set_url(tool(tenant) + "/lti/jwks")
            .set_platform_public_key(PUBLIC)
            .set_platform_private_key(PRIVATE)
        )

    def get_registration_by_params(self, **kwargs):
        return self._registration


class Req(Request):
    def build_metadata(self, request):
        return {"method": "GET", "get_data": request, "form_data": {}}


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


def encode_hint(d):
    return base64.urlsafe_b64encode(json.dumps(d).encode()).decode()


def decode_hint(s):
    return json.loads(base64.urlsafe_b64decode(s.encode()))


ROLES = {
    "learner": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    "instructor": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
}


class Launch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, request, platform, hint, tenant):
        super().__init__(request, platform)
        self.hint = hint
        self.tenant = tenant

    def prepare_launch(self, preflight_response):
        h = self.hint
        scenario = h.get("scenario", "ok")
        self.set_user_data(
            h["user"],
            ROLES[h.get("role", "learner")],
            full_name=h.get("name", "Ada Lovelace"),
            email_address=h.get("email"),
        )
        context = h.get("context", "context-1")
        self.set_launch_context_claim(context, context_title=CONTEXT_TITLE)
        nrps = h.get("nrps", "on")
        if nrps == "on":
            self.set_nrps(base(self.tenant) + "/memberships/" + context)
        elif nrps == "refused":
            self.set_nrps(base(self.tenant) + "/memberships/" + context + "/refused")
        elif nrps == "down":
            self.set_nrps("http://127.0.0.1:9/memberships/" + context)
        if h.get("kind") == "deep":
            self.set_dl(base(self.tenant) + "/deep-link-return", extra_data="opaque-42")
        else:
            if scenario != "no-resource-link":
                self.set_resource_link_claim(h.get("link", "link-1"), title="Agora")
            self.set_ags(
                lineitems_url=None,
                lineitem_url=base(self.tenant) + "/lineitems/" + h.get("lineitem", "li-1"),
                allow_creating_lineitems=False,
            )
        extra = {
            "wrong-aud": {"aud": "someone-else"},
            "wrong-iss": {"iss": "https://evil.example"},
            "unknown-deployment": {
                "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "not-registered"
            },
            "wrong-message-type": {
                "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiSubmissionReviewRequest"
            },
        }.get(scenario)
        if extra:
            self.set_extra_claims(extra)
        if scenario == "expired":
            self.set_id_token_expiration(-3600)

    def generate_launch_request(self):
        data = super().generate_launch_request()
        scenario = self.hint.get("scenario", "ok")
        token = data["id_token"]
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
        if scenario == "bad-signature":
            data["id_token"] = jwt.encode(claims, FORGER_PRIVATE, "RS256", headers=header)
        elif scenario == "alg-none":
            part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
            data["id_token"] = part({"alg": "none", "typ": "JWT", "kid": header.get("kid")}) + "." + part(claims) + "."
        elif scenario == "state-mismatch":
            data["state"] = "a-state-this-browser-never-had"
        return data

    def render_launch_form(self, launch_data, **kwargs):
        fields = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
            for k, v in (("id_token", launch_data["id_token"]), ("state", launch_data["state"]))
        )
        return (
            f'<!DOCTYPE html><form id="launch" method="post" action="{html.escape(launch_data["launch_url"])}">'
            f"{fields}</form>"
            '<script>document.getElementById("launch").submit()</script>'
        )


def empty():
    return {"scores": [], "deep_links": [], "roster_pages": [], "tokens": []}


def record(tenant, kind, value):
    with LOCK:
        RECEIVED.setdefault(tenant, empty())[kind].append(value)


ROLE_URI = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def membership_page(tenant, context, page):
    """One page of the context's membership container, and the next page's
    address if there is one. Members as the test set them: user_id, name,
    role (learner|instructor|...), status (Active|Inactive|Deleted)."""
    with LOCK:
        roster = ROSTERS.get(tenant, {"page_size": 10, "members": []})
    size = max(1, int(roster.get("page_size", 10)))
    members = roster["members"]
    url = base(tenant) + "/memberships/" + context
    ctx = ContextMembership(
        id=url, context=Context(id=context, label=context, title=CONTEXT_TITLE)
    )
    chunk = members[(page - 1) * size : page * size]
    body = {
        "id": ctx.id,
        "context": {"id": ctx.context.id, "label": ctx.context.label, "title": ctx.context.title},
        "members": [
            {
                "status": Status(m.get("status", "Active")).value,
                "name": m["name"],
                "user_id": m["user_id"],
                "roles": [ROLE_URI + m.get("role", "Learner")],
            }
            for m in chunk
        ],
    }
    more = page * size < len(members)
    return body, (f"{url}?page={page + 1}" if more else None)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, ctype="application/json", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def route(self):
        url = urlparse(self.path)
        m = re.fullmatch(r"/t/(\d+b?)(/.*)", url.path)
        if not m:
            return None, None, None
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        return m.group(1), m.group(2), q

    def form(self):
        n = int(self.headers.get("content-length") or 0)
        return {k: v[0] for k, v in parse_qs(self.rfile.read(n).decode()).items()}

    def do_GET(self):
        tenant, path, q = self.route()
        if path == "/jwks":
            return self.answer(200, json.dumps(Platform(tenant=tenant).get_jwks()))
        if path == "/start":
            kind = q.get("kind", "resource")
            launch_url = q.get("target") if kind == "resource" else None
            platform = Platform(tenant=tenant, launch_url=launch_url)
            login = Login(None, platform)
            login.set_lti_message_hint(hint=encode_hint(q))
            if kind == "deep":
                login.set_deeplinking_launch_url()
            return self.answer(302, "", headers=[("location", login.initiate_login(q["user"]))])
        if path == "/auth":
            hint = decode_hint(q["lti_message_hint"])
            if q.get("login_hint") != hint["user"]:
                return self.answer(400, '{"error": "login_hint"}')
            target = hint.get("target") if hint.get("kind", "resource") == "resource" else None
            platform = Platform(tenant=tenant, launch_url=target)
            page = Launch(Req(q), platform, hint, tenant).lti_launch()
            return self.answer(200, page, "text/html; charset=utf-8")
        if path == "/received":
            with LOCK:
                got = RECEIVED.get(tenant, empty())
                return self.answer(200, json.dumps(got))
        m = re.fullmatch(r"/memberships/([^/]+)(/refused)?", path or "")
        if m:
            if m.group(2):
                return self.answer(403, '{"error": "the roster is not shared"}')
            auth = self.headers.get("authorization", "")
            platform = Platform(tenant=tenant)
            platform.get_registration()
            try:
                ok = platform.validate_token(auth.removeprefix("Bearer "), allowed_scopes=[ROSTER_SCOPE])
            except Exception:
                ok = False
            if not ok:
                return self.answer(401, '{"error": "token"}')
            if self.headers.get("accept") != ROSTER_TYPE:
                return self.answer(406, '{"error": "accept"}')
            page = int(q.get("page", "1"))
            record(tenant, "roster_pages", {"context": m.group(1), "page": page})
            body, next_url = membership_page(tenant, m.group(1), page)
            headers = [("link", f'<{next_url}>; rel="next"')] if next_url else []
            return self.answer(200, json.dumps(body), ROSTER_TYPE, headers)
        self.answer(404, "{}")

    def do_POST(self):
        tenant, path, _ = self.route()
        form = None
        if path == "/roster":
            n = int(self.headers.get("content-length") or 0)
            with LOCK:
                ROSTERS[tenant] = json.loads(self.rfile.read(n))
            return self.answer(200, "{}")
        if path == "/token":
            platform = Platform(tenant=tenant)
            platform.get_registration()
            form = self.form()
            record(tenant, "tokens", {"scope": form.get("scope")})
            try:
                return self.answer(200, json.dumps(platform.get_access_token(form)))
            except Exception as e:  # the library raises on any bad request
                return self.answer(400, json.dumps({"error": str(e)}))
        m = re.fullmatch(r"/lineitems/([^/]+)/scores", path or "")
        if m:
            auth = self.headers.get("authorization", "")
            platform = Platform(tenant=tenant)
            platform.get_registration()
            try:
                ok = platform.validate_token(auth.removeprefix("Bearer "), allowed_scopes=[SCORE_SCOPE])
            except Exception:
                ok = False
            if not ok:
                return self.answer(401, '{"error": "token"}')
            n = int(self.headers.get("content-length") or 0)
            score = json.loads(self.rfile.read(n))
            score["lineitem"] = m.group(1)
            score["content_type"] = self.headers.get("content-type")
            record(tenant, "scores", score)
            return self.answer(200, "{}")
        if path == "/deep-link-return":
            form = self.form()
            platform = Platform(tenant=tenant)
            platform.get_registration()
            try:
                items = platform.validate_deeplinking_resp(form)
                claims = jwt.decode(form["JWT"], options={"verify_signature": False})
            except Exception as e:
                return self.answer(400, json.dumps({"error": str(e)}))
            record(tenant, "deep_links", {"items": items, "claims": claims})
            return self.answer(200, json.dumps({"content_items": items}))
        self.answer(404, "{}")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()  # until the test process ends
    server.shutdown()


if __name__ == "__main__":
    main()
