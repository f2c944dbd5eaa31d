"""HTTP to a shared triple store: authentication, no redirects, one clear error for any fault.

Every command that talks to a store (``ropa publish``, ``ropa check --endpoint``, ``ropa
query --endpoint``, ``ropa diff --endpoint``) sends its requests through :class:`Client`:

- **Authentication** answers the store's own challenge: HTTP Digest (what OpenLink Virtuoso's
  ``/sparql-auth`` and ``/sparql-graph-crud-auth`` ask for, RFC 7616) or Basic. The challenge
  is remembered per URL, so a run pays for it once; a large body is never sent before it
  (a ``HEAD`` asks for it first), so a store that closes the connection on its 401 cannot
  cut an upload short.
- **No redirects**, ever: a store that answers 3xx gets an error naming where it pointed.
  Following one would send the body and the ``Authorization`` header to a server the user
  never named (urllib copies the header across a redirect).
- **Passwords** never come from the command line (``ps`` shows it): :func:`credentials`
  reads ``ROPA_STORE_PASSWORD``, then the netrc file (``$NETRC`` or ``~/.netrc``), then asks
  (a terminal only).
- **Faults** (refused, reset, cut short, timed out, an error page) become one
  :class:`StoreError` line; the CLI turns it into exit status 2.

Caution: Basic authentication over plain ``http://`` sends the password readable; use
``https://`` beyond loopback. Only the standard library is used (``urllib``).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import netrc
import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import InputError, RopaError

#: Seconds to wait for the store unless a command says otherwise.
DEFAULT_TIMEOUT = 120.0

#: The environment variable that holds the store password.
PASSWORD_VARIABLE = "ROPA_STORE_PASSWORD"

#: A body larger than this is sent only after the store's challenge is known.
_LARGE_BODY = 64 * 1024


class StoreError(RopaError):
    """The store refused, failed, redirected, or could not be reached."""


class StoreTimeout(StoreError):
    """The store gave no (complete) answer within the time limit."""


@dataclass(frozen=True)
class Credentials:
    """A user and password for the store (the password never shows in ``repr``)."""

    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Response:
    """A store's answer: status, headers (lower-case names) and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        """The media type without parameters (``application/n-triples``)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def check_endpoint(url: str, what: str = "--endpoint") -> str:
    """Refuse an endpoint that is not an http(s) URL with a host.

    >>> check_endpoint("ftp://example.org/sparql")
    Traceback (most recent call last):
    ...
    checker.errors.InputError: --endpoint must be an http(s) URL, not 'ftp://example.org/sparql'
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{what} must be an http(s) URL, not {url!r}")
    if parts.username or parts.password:
        raise InputError(
            f"{what} must not carry a user or password in the URL (it shows in ps): "
            f"use --user and {PASSWORD_VARIABLE} or a netrc file"
        )
    return url


# --- credentials ----------------------------------------------------------------------------


def netrc_path(environ: Mapping[str, str] | None = None) -> Path:
    """The netrc file: ``$NETRC``, else ``~/.netrc``."""
    environ = os.environ if environ is None else environ
    given = environ.get("NETRC")
    return Path(given) if given else Path.home() / ".netrc"


def credentials(
    endpoint: str,
    user: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
) -> Credentials | None:
    """The credentials for ``endpoint``: from ``ROPA_STORE_PASSWORD``, a netrc file, or a prompt.

    Without ``user``, a netrc entry for the endpoint's host gives both (``machine HOST login
    USER password PASS``); no entry means no authentication. With ``user``, the password is
    the environment's, else the netrc entry's for that host and login, else ``prompt``'s.

    Raises:
        InputError: a user without a password anywhere and no prompt, or a netrc file that
            cannot be read (named, with its line).
    """
    environ = os.environ if environ is None else environ
    host = urllib.parse.urlsplit(endpoint).hostname or ""
    from_env = environ.get(PASSWORD_VARIABLE)
    if user is not None and from_env:
        return Credentials(user, from_env)
    entry = _netrc_entry(netrc_path(environ), host)
    if entry is not None:
        login, password = entry
        if user is None or user == login:
            return Credentials(login, password)
    if user is None:
        return None
    if prompt is None:
        raise InputError(
            f"no password for user {user!r}: set {PASSWORD_VARIABLE}, or add "
            f"'machine {host} login {user} password ...' to {netrc_path(environ)}"
        )
    return Credentials(user, prompt(f"password for {user} at {host}"))


def _netrc_entry(path: Path, host: str) -> tuple[str, str] | None:
    if not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:
        raise InputError(f"netrc: {exc.msg}", exc.filename or str(path), exc.lineno) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", str(path)) from None
    if found is None or not found[2]:
        return None
    return found[0], found[2]


# --- authentication ---------------------------------------------------------------------------


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """The scheme and parameters of a ``WWW-Authenticate`` header.

    >>> parse_challenge('Digest realm="SPARQL", nonce="abc", qop="auth", algorithm="MD5"')
    ('digest', {'realm': 'SPARQL', 'nonce': 'abc', 'qop': 'auth', 'algorithm': 'MD5'})
    """
    scheme, _, rest = header.strip().partition(" ")
    items = urllib.request.parse_http_list(rest)
    params = urllib.request.parse_keqv_list([i for i in items if "=" in i])
    return scheme.lower(), params


def digest_response(
    *,
    user: str,
    password: str,
    realm: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None = None,
    nc: str = "00000001",
    cnonce: str = "",
    algorithm: str = "MD5",
) -> str:
    """The ``response`` value of HTTP Digest authentication (RFC 2617, RFC 7616).

    The example of RFC 2617, section 3.5:

    >>> digest_response(user="Mufasa", password="Circle Of Life", realm="testrealm@host.com",
    ...     nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", method="GET", uri="/dir/index.html",
    ...     qop="auth", nc="00000001", cnonce="0a4f113b")
    '6629fae49393a05397450978507c4ef1'
    """
    base = algorithm.upper().removesuffix("-SESS")
    hashes = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
    if base not in hashes:
        raise StoreError(f"the store asks for digest algorithm {algorithm}, which is not supported")

    def h(text: str) -> str:
        return hashes[base](text.encode("utf-8")).hexdigest()

    ha1 = h(f"{user}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{uri}")
    if qop:
        return h(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return h(f"{ha1}:{nonce}:{ha2}")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def authorization(
    scheme: str,
    challenge: Mapping[str, str],
    *,
    method: str,
    url: str,
    credentials: Credentials,
    cnonce: str | None = None,
    nc: int = 1,
) -> str:
    """The ``Authorization`` header that answers a Basic or Digest challenge."""
    if scheme == "basic":
        token = f"{credentials.user}:{credentials.password}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")
    if scheme != "digest":
        raise StoreError(f"the store asks for {scheme} authentication, which is not supported")
    parts = urllib.parse.urlsplit(url)
    uri = parts.path + (f"?{parts.query}" if parts.query else "")
    offered = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    if offered and "auth" not in offered:
        raise StoreError(f"the store asks for digest qop {offered}, which is not supported")
    qop = "auth" if offered else None
    cnonce = cnonce or secrets.token_hex(8)
    algorithm = challenge.get("algorithm", "MD5")
    count = f"{nc:08x}"
    response = digest_response(
        user=credentials.user,
        password=credentials.password,
        realm=challenge.get("realm", ""),
        nonce=challenge.get("nonce", ""),
        method=method,
        uri=uri,
        qop=qop,
        nc=count,
        cnonce=cnonce,
        algorithm=algorithm,
    )
    fields = [
        f"username={_quoted(credentials.user)}",
        f"realm={_quoted(challenge.get('realm', ''))}",
        f"nonce={_quoted(challenge.get('nonce', ''))}",
        f"uri={_quoted(uri)}",
        f"response={_quoted(response)}",
        f"algorithm={algorithm}",
    ]
    if qop:
        fields += [f"qop={qop}", f"nc={count}", f"cnonce={_quoted(cnonce)}"]
    if "opaque" in challenge:
        fields.append(f"opaque={_quoted(challenge['opaque'])}")
    return "Digest " + ", ".join(fields)


# --- requests ------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: urllib would carry the body and ``Authorization`` along."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def text_of(body: bytes) -> str:
    """An error page as one short line of text (an HTML page's tags and title dropped).

    >>> text_of(b"<html><title>T</title><h3>Error 22023</h3><xmp>rejected</xmp></html>")
    'Error 22023 rejected'
    >>> text_of(b"SP030: syntax error at 'VALUES ?s { <urn:a> }'")
    "SP030: syntax error at 'VALUES ?s { <urn:a> }'"
    """
    text = body.decode("utf-8", "replace")
    if re.match(r"(?is)\s*(<!DOCTYPE|<html|<\?xml)", text):
        text = re.sub(r"(?is)<(title|head)>.*?</\1>|<!DOCTYPE[^>]*>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())[:400]


@dataclass
class _Challenge:
    scheme: str
    params: dict[str, str]
    count: int = 0


class Client:
    """Requests to one store, with its credentials and time limit.

    Args:
        credentials: the user and password (None: anonymous).
        timeout: seconds to wait for each answer.
    """

    def __init__(self, credentials: Credentials | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.credentials = credentials
        self.timeout = timeout
        self._challenges: dict[str, _Challenge] = {}

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Response:
        """Send one request and read the whole answer.

        Raises:
            StoreError: a refusal (4xx, 5xx, 401 with the user named), a redirect, a
                connection refused, reset or cut short.
            StoreTimeout: no answer within the time limit.
        """
        timeout = self.timeout if timeout is None else timeout
        key = _challenge_key(url)
        large = body is not None and len(body) > _LARGE_BODY
        if self.credentials is not None and key not in self._challenges and large:
            self._learn_challenge(url, timeout)
        for attempt in (1, 2):
            sent = dict(headers or {})
            challenge = self._challenges.get(key) if self.credentials else None
            if challenge is not None and self.credentials is not None:
                challenge.count += 1
                sent["Authorization"] = authorization(
                    challenge.scheme,
                    challenge.params,
                    method=method,
                    url=url,
                    credentials=self.credentials,
                    nc=challenge.count,
                )
            status, answer, reply = self._send(method, url, body, sent, timeout)
            if status == 401 and self.credentials is not None and attempt == 1:
                header = answer.get("www-authenticate")
                if header:
                    scheme, params = parse_challenge(header)
                    self._challenges[key] = _Challenge(scheme, params)
                    continue
            if status == 401:
                who = (
                    f"user {self.credentials.user!r}"
                    if self.credentials
                    else "an anonymous request"
                )
                raise StoreError(
                    f"the store refused {who} (HTTP 401) at {_shown(url)}: check --user and "
                    f"the password ({PASSWORD_VARIABLE} or the netrc file)"
                )
            if 300 <= status < 400:
                where = answer.get("location", "somewhere else")
                raise StoreError(
                    f"the store redirected {method} {_shown(url)} (HTTP {status}) to {where}: "
                    "redirects are not followed, so neither the data nor the credentials go "
                    "anywhere you did not name; give that URL itself if you trust it"
                )
            if status >= 400:
                raise StoreError(f"{method} {_shown(url)}: HTTP {status}: {text_of(reply)}")
            return Response(status, answer, reply)
        raise AssertionError("unreachable")  # pragma: no cover

    def _learn_challenge(self, url: str, timeout: float) -> None:
        """Ask with ``HEAD`` what authentication ``url`` wants, before sending a large body."""
        status, headers, _ = self._send("HEAD", url, None, {}, timeout)
        header = headers.get("www-authenticate") if status == 401 else None
        if header:
            scheme, params = parse_challenge(header)
            self._challenges[_challenge_key(url)] = _Challenge(scheme, params)

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: float,
    ) -> tuple[int, dict[str, str], bytes]:
        """One exchange: the status, headers and body, whatever the status."""
        request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                data = response.read()
                return response.status, _lower(response.headers.items()), data
        except urllib.error.HTTPError as exc:
            try:
                data = exc.read()
            except (OSError, http.client.HTTPException):
                data = b""
            return exc.code, _lower(exc.headers.items()), data
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise StoreTimeout(
                    f"{method} {_shown(url)}: no answer within {timeout:g} s"
                ) from None
            raise StoreError(f"cannot reach {_shown(url)}: {_reason(exc.reason)}") from None
        except TimeoutError:
            raise StoreTimeout(f"{method} {_shown(url)}: no answer within {timeout:g} s") from None
        except http.client.IncompleteRead as exc:
            raise StoreError(
                f"{method} {_shown(url)}: the store cut its answer short "
                f"({len(exc.partial)} bytes, more expected)"
            ) from None
        except (http.client.HTTPException, OSError) as exc:
            raise StoreError(
                f"{method} {_shown(url)}: the connection broke ({_reason(exc)})"
            ) from None


def _reason(exc: object) -> str:
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the store closed the connection without answering"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the store"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _lower(items: object) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in items}  # type: ignore[attr-defined]


def _challenge_key(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _shown(url: str) -> str:
    """A URL for messages: without its query string (a graph IRI or a whole query)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
