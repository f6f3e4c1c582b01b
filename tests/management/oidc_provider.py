"""A real OpenID Connect provider for the tests, built from Authlib's server implementation.

Authlib's `AuthorizationServer` with its authorization-code grant, the OpenID Connect `OpenIDCode`
extension and PKCE (`CodeChallenge`, S256 required), its SQLAlchemy client/code/token mixins on
an in-memory database, and a signing key from joserfc. It serves discovery, the authorize,
token and JWKS endpoints over real HTTP in a thread, like Entra ID would (minus the login
page: the signed-in person is whoever the test says). A test can make it misbehave the way a
misconfigured or hostile provider would: another audience, an expired token, another nonce.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.sqla_oauth2 import (
    OAuth2AuthorizationCodeMixin,
    OAuth2ClientMixin,
    OAuth2TokenMixin,
    create_query_client_func,
    create_save_token_func,
)
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.discovery import OpenIDProviderMetadata
from flask import Flask, jsonify
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool
from werkzeug.serving import make_server


class _Base(DeclarativeBase):
    pass


class Client(_Base, OAuth2ClientMixin):
    __tablename__ = "client"
    id = sa.Column(sa.Integer, primary_key=True)


class AuthorizationCode(_Base, OAuth2AuthorizationCodeMixin):
    __tablename__ = "code"
    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.String(200))


class Token(_Base, OAuth2TokenMixin):
    __tablename__ = "token"
    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.String(200))


@dataclass
class Person:
    """Who is signed in at the provider."""

    email: str
    email_verified: bool = True

    def get_user_id(self) -> str:
        return "sub-" + self.email


class Provider:
    """The provider's state, and the switches a test flips to make it misbehave."""

    def __init__(self) -> None:
        self.issuer = ""
        self.person: Person | None = None
        self.audience: str | None = None  # None: the client's own id
        self.expires_in = 3600  # negative: an ID token that has already expired
        self.wrong_nonce = False
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        engine = sa.create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        _Base.metadata.create_all(engine)
        self.db = scoped_session(sessionmaker(engine))

    def add_client(self, client_id: str, secret: str, redirect_uri: str) -> None:
        client = Client(client_id=client_id, client_secret=secret, client_id_issued_at=0)
        client.set_client_metadata(
            {
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "scope": "openid email profile",
                "token_endpoint_auth_method": "client_secret_basic",
            }
        )
        self.db.add(client)
        self.db.commit()


def _grant(provider: Provider):
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

        def save_authorization_code(self, code, request):
            payload = request.payload
            nonce = payload.data.get("nonce")
            provider.db.add(
                AuthorizationCode(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=payload.redirect_uri,
                    scope=request.scope,
                    user_id=request.user.email,
                    nonce="not-the-nonce-you-sent" if provider.wrong_nonce else nonce,
                    code_challenge=payload.data.get("code_challenge"),
                    code_challenge_method=payload.data.get("code_challenge_method"),
                )
            )
            provider.db.commit()

        def query_authorization_code(self, code, client):
            item = provider.db.scalars(
                sa.select(AuthorizationCode).filter_by(code=code, client_id=client.client_id)
            ).first()
            if item is not None and not item.is_expired():
                return item
            return None

        def delete_authorization_code(self, authorization_code):
            provider.db.delete(authorization_code)
            provider.db.commit()

        def authenticate_user(self, authorization_code):
            return Person(authorization_code.user_id)

    class OpenID(OpenIDCode):
        def exists_nonce(self, nonce, request):
            return (
                provider.db.scalars(
                    sa.select(AuthorizationCode).filter_by(
                        client_id=request.payload.client_id, nonce=nonce
                    )
                ).first()
                is not None
            )

        def resolve_client_private_key(self, client):
            return KeySet([provider.key])

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": "test-key"}

        def get_client_claims(self, client):
            now = int(time.time())
            return {
                "iss": provider.issuer,
                "aud": [provider.audience or client.get_client_id()],
                "iat": now,
                "exp": now + provider.expires_in,
            }

        def generate_user_info(self, user, scope):
            signed_in = provider.person or user
            return UserInfo(
                sub=signed_in.get_user_id(),
                email=signed_in.email,
                email_verified=signed_in.email_verified,
            )

    return CodeGrant, OpenID


def _app(provider: Provider) -> Flask:
    app = Flask("oidc-provider")
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 3600}
    server = AuthorizationServer(
        app,
        query_client=create_query_client_func(provider.db, Client),
        save_token=create_save_token_func(provider.db, Token),
    )
    code_grant, openid = _grant(provider)
    server.register_grant(code_grant, [openid(require_nonce=True), CodeChallenge(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        metadata = OpenIDProviderMetadata(
            issuer=provider.issuer,
            authorization_endpoint=provider.issuer + "/authorize",
            token_endpoint=provider.issuer + "/token",
            jwks_uri=provider.issuer + "/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic"],
            scopes_supported=["openid", "email", "profile"],
        )
        metadata.validate()
        return jsonify(dict(metadata))

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([provider.key]).as_dict(private=False))

    @app.get("/authorize")
    def authorize():
        # The person already signed in at the provider consents at once.
        return server.create_authorization_response(grant_user=provider.person)

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.teardown_appcontext
    def _end(_error=None):
        provider.db.remove()

    return app


class RunningProvider:
    """The provider on a real port in a thread: `with RunningProvider() as provider: ...`."""

    def __enter__(self) -> Provider:
        self.provider = Provider()
        self.server = make_server("127.0.0.1", 0, _app(self.provider), threaded=True)
        self.provider.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self.provider

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
