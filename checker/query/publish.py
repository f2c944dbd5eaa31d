"""Publish the built graph to a shared triple store (``ropa publish``).

The SPARQL 1.1 Graph Store HTTP Protocol: ``PUT <endpoint>?graph=<IRI>`` with the graph
as N-Triples replaces the named graph in one request (section 5.3: "the graph is
replaced"); the store either takes the whole graph or answers with an error and keeps
the old one. A ``GET`` afterwards counts what the store holds (``verify``).

Authentication: HTTP Digest (what OpenLink Virtuoso's ``/sparql-graph-crud-auth`` asks
for) or Basic, answered from the store's own challenge. The challenge is fetched with a
``HEAD`` first, so the graph itself is sent once, already authenticated: a store that
closes the connection on its 401 cannot cut a large upload short. Only the standard
library is used (``urllib``).

Caution: Basic authentication over plain ``http://`` sends the password readable; use
``https://`` beyond loopback.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from checker.errors import InputError, RopaError
from checker.graph.build import build
from checker.graph.serialize import serialize

#: Seconds to wait for the store (loading takes longer than querying).
DEFAULT_TIMEOUT = 120.0


class PublishError(RopaError):
    """The store refused or failed the upload."""


@dataclass(frozen=True)
class Credentials:
    """A user and password for the store."""

    user: str
    password: str


@dataclass(frozen=True)
class PublishResult:
    """What happened: triples sent, the store's answer, and what it holds afterwards."""

    endpoint: str
    graph: str
    sent: int
    status: int
    stored: int | None

    def summary(self) -> str:
        """One line for people.

        >>> PublishResult("http://h/gsp", "urn:g", 3, 201, 3).summary()
        'published 3 triples to graph <urn:g> at http://h/gsp (HTTP 201 created); the store holds 3'
        """
        what = "created" if self.status == 201 else "replaced"
        held = "" if self.stored is None else f"; the store holds {self.stored}"
        return (
            f"published {self.sent} triples to graph <{self.graph}> at {self.endpoint} "
            f"(HTTP {self.status} {what}){held}"
        )


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
        raise PublishError(
            f"the store asks for digest algorithm {algorithm}, which is not supported"
        )

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
) -> str:
    """The ``Authorization`` header that answers a Basic or Digest challenge."""
    if scheme == "basic":
        token = f"{credentials.user}:{credentials.password}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")
    if scheme != "digest":
        raise PublishError(f"the store asks for {scheme} authentication, which is not supported")
    parts = urllib.parse.urlsplit(url)
    uri = parts.path + (f"?{parts.query}" if parts.query else "")
    offered = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    if offered and "auth" not in offered:
        raise PublishError(f"the store asks for digest qop {offered}, which is not supported")
    qop = "auth" if offered else None
    cnonce = cnonce or secrets.token_hex(8)
    algorithm = challenge.get("algorithm", "MD5")
    response = digest_response(
        user=credentials.user,
        password=credentials.password,
        realm=challenge.get("realm", ""),
        nonce=challenge.get("nonce", ""),
        method=method,
        uri=uri,
        qop=qop,
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
        fields += [f"qop={qop}", "nc=00000001", f"cnonce={_quoted(cnonce)}"]
    if "opaque" in challenge:
        fields.append(f"opaque={_quoted(challenge['opaque'])}")
    return "Digest " + ", ".join(fields)


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store URL of a named graph (indirect identification, ``?graph=``).

    >>> graph_url("http://127.0.0.1:8890/sparql-graph-crud-auth", "urn:ropa:customs")
    'http://127.0.0.1:8890/sparql-graph-crud-auth?graph=urn%3Aropa%3Acustoms'
    """
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return endpoint + joiner + urllib.parse.urlencode({"graph": graph})


def _request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[int, str, bytes]:
    """One HTTP request, authenticated from the store's challenge when credentials are given."""
    sent = dict(headers or {})
    if credentials is not None:
        header = _challenge(url, timeout)
        if header is not None:
            scheme, params = parse_challenge(header)
            sent["Authorization"] = authorization(
                scheme, params, method=method, url=url, credentials=credentials
            )
    request = urllib.request.Request(url, data=body, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        detail = _text_of(exc.read().decode("utf-8", "replace"))
        if exc.code == 401:
            who = f"user {credentials.user!r}" if credentials else "an anonymous request"
            raise PublishError(
                f"the store refused {who} (HTTP 401): check --user and --password"
            ) from None
        raise PublishError(f"{method} {url}: HTTP {exc.code} {exc.reason}: {detail}") from None
    except urllib.error.URLError as exc:
        raise PublishError(f"cannot reach {url}: {exc.reason}") from None
    except TimeoutError:
        raise PublishError(f"{method} {url}: no answer within {timeout:g} s") from None


def _text_of(body: str) -> str:
    """An error page as one short line of text (tags and the page title dropped).

    >>> _text_of("<html><title>T</title><h3>Error 22023</h3><xmp>rejected</xmp></html>")
    'Error 22023 rejected'
    """
    body = re.sub(r"(?is)<(title|head)>.*?</\1>|<!DOCTYPE[^>]*>", " ", body)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())[:400]


def _challenge(url: str, timeout: float) -> str | None:
    """The store's ``WWW-Authenticate`` challenge for ``url`` (None: no login needed)."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, method="HEAD"), timeout=timeout
        ) as _:
            return None
    except urllib.error.HTTPError as exc:
        exc.read()
        if exc.code == 401:
            return exc.headers.get("WWW-Authenticate")
        return None
    except urllib.error.URLError as exc:
        raise PublishError(f"cannot reach {url}: {exc.reason}") from None
    except TimeoutError:
        raise PublishError(f"{url}: no answer within {timeout:g} s") from None


def check_graph_iri(graph: str) -> str:
    """Refuse a graph name that is not an absolute IRI.

    >>> check_graph_iri("relative/name")
    Traceback (most recent call last):
    ...
    checker.errors.InputError: --graph must be an absolute IRI such as urn:ropa:register or https://..., not 'relative/name'
    """
    try:
        ox.NamedNode(graph)
        valid = ":" in graph and graph.split(":", 1)[0].isalnum()
    except ValueError:
        valid = False
    if not valid:
        raise InputError(
            "--graph must be an absolute IRI such as urn:ropa:register or https://..., "
            f"not {graph!r}"
        )
    return graph


def publish_ntriples(
    data: bytes,
    *,
    endpoint: str,
    graph: str,
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    verify: bool = True,
) -> PublishResult:
    """PUT N-Triples into a named graph, replacing it; then (``verify``) count what is there.

    Raises:
        InputError: a bad endpoint URL or graph IRI.
        PublishError: the store refused, failed, or could not be reached.
    """
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise InputError(f"--endpoint must be an http(s) URL, not {endpoint!r}")
    check_graph_iri(graph)
    url = graph_url(endpoint, graph)
    sent = sum(1 for line in data.splitlines() if line.strip() and not line.startswith(b"#"))
    status, _, _ = _request(
        "PUT",
        url,
        body=data,
        headers={"Content-Type": "application/n-triples; charset=utf-8"},
        credentials=credentials,
        timeout=timeout,
    )
    stored = count_graph(endpoint, graph, credentials, timeout) if verify else None
    return PublishResult(endpoint, graph, sent, status, stored)


def count_graph(
    endpoint: str,
    graph: str,
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> int:
    """The number of triples the store holds in a named graph (Graph Store ``GET``)."""
    _, media, body = _request(
        "GET",
        graph_url(endpoint, graph),
        headers={"Accept": "application/n-triples, text/turtle;q=0.9"},
        credentials=credentials,
        timeout=timeout,
    )
    fmt = ox.RdfFormat.from_media_type(media.split(";")[0].strip()) or ox.RdfFormat.TURTLE
    try:
        return sum(1 for _ in ox.parse(body, format=fmt))
    except SyntaxError as exc:
        raise PublishError(f"the store sent a graph that does not parse: {exc}") from None


def publish(
    paths: Sequence[Path] = (),
    *,
    endpoint: str,
    graph: str,
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    verify: bool = True,
) -> PublishResult:
    """Build the graph (default: the shipped register) and publish it (``ropa publish``)."""

    check_graph_iri(graph)
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise InputError(f"--endpoint must be an http(s) URL, not {endpoint!r}")
    _challenge(graph_url(endpoint, graph), timeout)  # unreachable: fail before building
    data = serialize(build(list(paths)), "nt")
    return publish_ntriples(
        data,
        endpoint=endpoint,
        graph=graph,
        credentials=credentials,
        timeout=timeout,
        verify=verify,
    )
