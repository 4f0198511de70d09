"""Signing in through OpenID Connect against a provider the test runs on loopback (token,
userinfo and JWKS endpoints; RS256 ID tokens): the person is created from the claims, their
groups claim gives their memberships and changes them at the next sign-in; local and disabled
accounts are refused."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import josepy
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import Client, override_settings

from audit.models import AuditEntry
from roles import services
from roles.models import Institution, Role, Unit, User
from roles.selectors import memberships_active

pytestmark = pytest.mark.django_db


class Provider:
    """A minimal OpenID provider: codes handed out by the test, tokens signed with its key."""

    def __init__(self) -> None:
        self.key = josepy.JWKRSA(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
        self.codes: dict[str, tuple[str, dict[str, Any]]] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self, body: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/jwks":
                    public = provider.key.public_key().to_partial_json()
                    self.answer({"keys": [{**public, "kid": "k1", "alg": "RS256"}]})
                elif self.path == "/userinfo":
                    code = self.headers.get("Authorization", "").removeprefix("Bearer at-")
                    self.answer(provider.codes[code][1])
                else:
                    self.answer({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                code = form["code"][0]
                if code not in provider.codes:
                    self.answer({"error": "invalid_grant"}, 400)
                    return
                nonce, claims = provider.codes[code]
                token = josepy.JWS.sign(
                    json.dumps({**claims, "nonce": nonce, "aud": "koordinimi"}).encode(),
                    key=provider.key,
                    alg=josepy.RS256,
                    kid="k1",
                    protect=frozenset(["alg", "kid"]),
                ).to_compact()
                self.answer({"id_token": token.decode(), "access_token": f"at-{code}"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(demo: dict[str, User]) -> Iterator[Provider]:
    provider = Provider()
    backends = list(settings.AUTHENTICATION_BACKENDS)
    backends.insert(backends.index("django.contrib.auth.backends.ModelBackend") + 1,
                    "roles.oidc.GovernmentOIDCBackend")  # fmt: skip
    kllokot = Institution.objects.get(code="KLLOKOT")
    for group, unit, role in [
        ("kllokot-zimp", "zimp", "information_officer"),
        ("kllokot-assembly", "assembly-office", "assembly_officer"),
    ]:
        services.directory_group_set(
            actor=None,
            name=group,
            institution=kllokot,
            unit=Unit.objects.get(institution=kllokot, code=unit),
            role=Role.objects.get(code=role),
        )
    try:
        with override_settings(
            ROOT_URLCONF="tests.roles.oidc_urls",
            AUTHENTICATION_BACKENDS=backends,
            OIDC_RP_CLIENT_ID="koordinimi",
            OIDC_RP_CLIENT_SECRET="client-secret",
            OIDC_OP_AUTHORIZATION_ENDPOINT=f"{provider.url}/authorize",
            OIDC_OP_TOKEN_ENDPOINT=f"{provider.url}/token",
            OIDC_OP_USER_ENDPOINT=f"{provider.url}/userinfo",
            OIDC_OP_JWKS_ENDPOINT=f"{provider.url}/jwks",
            OIDC_RP_SIGN_ALGO="RS256",
            OIDC_RP_SCOPES="openid email profile",
            OIDC_USERNAME_CLAIM="preferred_username",
            OIDC_GROUPS_CLAIM="groups",
        ):
            yield provider
    finally:
        provider.stop()


def sign_in(provider: Provider, claims: dict[str, Any]) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.url}/authorize")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["client_id"] == ["koordinimi"]
    code = f"code-{len(provider.codes)}"
    provider.codes[code] = (query["nonce"][0], claims)
    client.get("/oidc/callback/", {"code": code, "state": query["state"][0]})
    return client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


ANA = {
    "sub": "1001",
    "preferred_username": "ana.oidc",
    "given_name": "Ana",
    "family_name": "Petrović",
    "email": "ana@rks-gov.test",
    "groups": ["kllokot-zimp"],
}


def test_an_official_signs_in_and_their_groups_give_their_memberships(provider: Provider) -> None:
    client = sign_in(provider, ANA)
    assert signed_in(client)
    assert client.get("/work/").status_code == 200
    ana = User.objects.get(username="ana.oidc")
    assert (ana.first_name, ana.email, ana.has_usable_password()) == (
        "Ana", "ana@rks-gov.test", False
    )  # fmt: skip
    [membership] = memberships_active(user=ana)
    assert (membership.unit.code, membership.role.code) == ("zimp", "information_officer")  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="user.created", object_id=str(ana.pk)).exists()

    # The groups claim changed: at the next sign-in she is in the assembly office instead.
    again = sign_in(provider, {**ANA, "groups": ["kllokot-assembly"]})
    assert signed_in(again)
    roles = {m.role.code for m in memberships_active(user=ana)}
    assert "assembly_officer" in roles
    membership.refresh_from_db()
    assert membership.valid_until is not None  # ended, kept


def test_a_forged_or_refused_sign_in_does_not_get_in(provider: Provider) -> None:
    client = Client()
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    client.get("/oidc/callback/", {"code": "never-issued", "state": state})
    assert not signed_in(client)
    # A local (break-glass) account is never signed in through the provider.
    assert not signed_in(sign_in(provider, {**ANA, "preferred_username": "admin"}))
    # Nor a disabled one.
    assert signed_in(sign_in(provider, ANA))
    services.person_active_set(actor=None, user=User.objects.get(username="ana.oidc"), active=False)
    assert not signed_in(sign_in(provider, ANA))
