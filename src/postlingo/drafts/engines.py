"""Machine-translation engines behind one small interface.

Every engine is a class with the same class attributes (``name``, ``needs_key``,
``key_env_var``, ``max_chars``, the language codes it knows) and one method that sends one
text, ``_request``; ``translate`` adds what the clients lack:

- a *deadline*: ``engine_timeout`` bounds the whole request, every attempt, every wait
  between attempts and every byte of every answer (a server that trickles its answer is cut
  off when the time is up, however steadily it sends: a watchdog shuts the socket down);
- retries with backoff on connection errors, HTTP 429 and 5xx; ``Retry-After`` is honoured
  only when it is at most ``MAX_RETRY_AFTER`` (60 s) and fits in what is left of the
  deadline, else the run stops at once (waiting less than asked only earns another 429);
- a size limit on answers (``engine_max_answer`` bytes of HTTP body, checked while reading,
  and a translation at most ``10 * len(text) + 1000`` characters);
- refusal of any answer that holds a secret (``screen``): the key sent, or the value of any
  key variable an engine or the configuration names, or of any ``*_KEY``/``*_TOKEN``/
  ``*_SECRET``/``*_PASSWORD`` variable, also URL-, HTML-entity- or base64-encoded;
- errors that name the engine and never the key.

Engines are found through the entry-point group ``postlingo.engines`` (``registry()``;
the built-ins are registered there as a third-party package registers its own);
``engine_names()`` adds ``memory``, translation memory, which is a drafter of its own
(``postlingo.drafts.memory``), asked before any engine. A ``batched`` engine translates
several texts per request (``translate_batch``: one deadline, one request): ``openai``
(any OpenAI-compatible chat-completions server) and ``deepl`` (DeepL's own client: the
request style deep-translator uses was retired by DeepL). The others go through
deep-translator, one text a request. All talk through a ``requests`` session carrying
``GuardedAdapter``, where the deadline and the size limit hold. ``pseudo`` works offline.
Keys come from environment variables only
(``key_env`` in ``[engines.<name>]`` names another variable than the default); they are
handed to the client explicitly, never read by deep-translator from the environment, never
written anywhere.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib
import importlib.metadata
import json
import os
import re
import socket
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, quote_plus, unquote, urlsplit

import requests
import urllib3
from babel import Locale, UnknownLocaleError
from requests.adapters import HTTPAdapter

from ..errors import ConfigError, PostlingoError

_T = TypeVar("_T")
OptionKinds = Mapping[str, "type | tuple[type, ...]"]  # option -> its type(s)
MAX_BACKOFF = 30.0  # seconds: the longest wait between two attempts
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After stops the run instead
MAX_ANSWER = 1_000_000  # bytes of one HTTP answer, by default (engine_max_answer)
CHUNK = 65536  # bytes read from an answer at a time
MIN_SECRET = 8  # characters: shorter values of key variables are not searched for
# Environment variables whose values are secrets whatever engine is used (CI tokens...).
_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$", re.IGNORECASE)


class EngineError(PostlingoError):
    """The engine cannot go on (refused key, quota, repeated failures): the run stops."""


class NoTranslation(Exception):
    """This text got no usable answer; the entry stays untranslated, the run goes on."""


class Transient(Exception):
    """A failure worth another attempt: no answer, no connection, HTTP 429 or 5xx."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class EngineSettings:
    """What an engine is given: its ``[engines.<name>]`` options and the request policy."""

    options: Mapping[str, Any] = field(default_factory=dict)
    timeout: float = 30.0  # seconds for one text: every attempt and wait included
    retries: int = 3  # further attempts after a transient failure
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_answer: int = MAX_ANSWER  # bytes an HTTP answer may have
    secret_variables: Collection[str] = ()  # further variables whose values are secrets
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


# --- the deadline and the size limit, where the bytes arrive --------------------------------


class DeadlinePassed(requests.Timeout):
    """The request's deadline passed (while connecting, waiting or reading)."""


class AnswerTooLarge(requests.RequestException):
    """The answer is larger than ``engine_max_answer``."""


class Guard:
    """What one engine's HTTP traffic must respect: a deadline (``time.monotonic()``) and a
    size limit; remembers the last failure and headers, whatever the client makes of them."""

    def __init__(self, max_answer: int):
        self.deadline = float("inf")
        self.max_answer = max_answer
        self.failure: requests.RequestException | None = None
        self.headers: Mapping[str, str] = {}
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def watch(self, connection: Any) -> None:
        with self._lock:
            self._connections.add(connection)

    def cut(self) -> None:
        """Shut down every socket (a blocked read returns at once): the time is up."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            sock = getattr(connection, "sock", None)
            if sock is not None:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _pool_classes(guard: Guard) -> dict[str, type[Any]]:
    """urllib3 pools whose connections ``guard`` can cut (no other hook reaches the socket
    while a response's headers are still arriving)."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Plain(HTTPConnection):
        def connect(self) -> None:
            guard.watch(self)
            super().connect()

    class Secure(HTTPSConnection):
        def connect(self) -> None:
            guard.watch(self)
            super().connect()

    class PlainPool(HTTPConnectionPool):
        ConnectionCls = Plain

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = Secure

    return {"http": PlainPool, "https": SecurePool}


class GuardedAdapter(HTTPAdapter):
    """A transport adapter that holds every request to its guard's deadline and size
    limit: the socket timeout is what is left of the deadline, a watchdog cuts the socket
    when it passes (a server that sends a byte a second never trips a socket timeout),
    and the body is read in chunks, counted as they arrive (decompressed)."""

    def __init__(self, guard: Guard):
        self.guard = guard
        super().__init__(max_retries=0)  # retries are the engine's: they share the deadline

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.guard)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools are classes of their own
            manager.pool_classes_by_scheme = _pool_classes(self.guard)
        return manager

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        guard = self.guard
        left = guard.left()
        if left <= 0:
            raise self._failed(DeadlinePassed("the deadline has passed", request=request))
        watchdog = None
        if left == float("inf"):  # outside translate(): the client's own timeout only
            left = timeout
        else:
            watchdog = threading.Timer(left, guard.cut)
            watchdog.daemon = True
            watchdog.start()
        try:
            response = super().send(request, True, left, verify, cert, proxies)
            guard.headers = response.headers
            self._read(response)
            return response
        except requests.RequestException as exc:
            if guard.left() <= 0 and not isinstance(exc, AnswerTooLarge):
                exc = DeadlinePassed("the deadline passed", request=request)
            raise self._failed(exc) from None
        finally:
            if watchdog is not None:
                watchdog.cancel()

    def _read(self, response: requests.Response) -> None:
        """Read the whole body within the deadline and the size limit."""
        guard, limit = self.guard, self.guard.max_answer
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise AnswerTooLarge(f"{int(declared):,} bytes announced")
        chunks, size = [], 0
        try:
            while True:
                chunk = response.raw.read1(CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise AnswerTooLarge(f"more than {limit:,} bytes")
                if guard.left() <= 0:
                    raise DeadlinePassed("the deadline passed while reading")
                chunks.append(chunk)
        except requests.RequestException:  # (first: requests' exceptions are OSErrors)
            response.close()
            raise
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise requests.ConnectionError(f"the answer broke off ({type(exc).__name__})") from None
        # What requests itself does once a body is read: .text and .json() use it.
        response._content = b"".join(chunks)
        response._content_consumed = True  # type: ignore[attr-defined]
        response.raw.release_conn()

    def _failed(self, exc: requests.RequestException) -> requests.RequestException:
        self.guard.failure = exc
        return exc


def guarded_session(guard: Guard, session: requests.Session | None = None) -> requests.Session:
    """``session`` (or a new one) with every request held to ``guard``."""
    session = session or requests.Session()
    adapter = GuardedAdapter(guard)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- secrets ------------------------------------------------------------------------------


def _normal(text: str) -> str:
    """``text`` as compared for secrets: compatibility forms folded (full-width letters),
    format characters and blanks dropped (zero-width spaces), case folded."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        char for char in text if not char.isspace() and unicodedata.category(char) != "Cf"
    ).casefold()


def secret_forms(secret: str) -> set[str]:
    """The forms of ``secret`` an answer may carry it in, normalised (``_normal``)."""
    data = secret.encode("utf-8")
    encoded = {base64.b64encode(data), base64.urlsafe_b64encode(data)}
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    forms |= {form.decode("ascii") for form in encoded}
    forms |= {form.decode("ascii").rstrip("=") for form in encoded}
    return {_normal(form) for form in forms if len(form) >= MIN_SECRET}


def readings(text: str) -> set[str]:
    """``text`` as a page or a URL could decode it (entities, percent escapes), normalised."""
    unescaped = html.unescape(text)
    return {
        _normal(form)
        for form in (
            text,
            unescaped,
            unquote(text),
            unquote(unescaped),
            html.unescape(unquote(text)),
        )
    }


class Engine:
    """One translation service. Subclasses set the class attributes and ``_request``."""

    name: ClassVar[str] = ""
    needs_key: ClassVar[bool] = False
    key_env_var: ClassVar[str] = ""  # where the key is by default
    max_chars: ClassVar[int] = 5000  # the longest text one request may carry
    remote: ClassVar[bool] = True  # sends text away: cached, retried, counted by --dry-run
    batched: ClassVar[bool] = False  # translates several texts per request (_request_batch)
    batch_size: ClassVar[int] = 1  # texts per request by default (max_segments)
    revises: ClassVar[bool] = False  # can revise a changed text's old translation
    price: ClassVar[float] = 0.0  # estimated cost per million characters sent (dry run)
    language_codes: ClassVar[Collection[str]] = ()  # codes the engine knows; empty: any
    preferred: ClassVar[Mapping[str, str]] = {}  # language -> the engine's code for it
    options: ClassVar[OptionKinds] = {"max_chars": int}

    def __init__(self, settings: EngineSettings | None = None):
        self.settings = settings or EngineSettings()
        self._key = self._find_key()
        self.guard = Guard(self.settings.max_answer)
        self._secrets = self._find_secrets()

    # --- what the class knows ----------------------------------------------------------

    @classmethod
    def code(cls, language: str, target: bool = True) -> str:
        """The engine's code for ``language`` (``pt-BR``, ``de``): the code itself, its
        language, ``de-DE``-style, the engine's preference, or the first regional code."""
        if language in cls.preferred:
            return cls.preferred[language]
        if not cls.language_codes:
            return language
        known = {code.lower(): code for code in cls.language_codes}
        base, territory = _parts(language)
        tries = [
            language,
            f"{base}-{territory}" if territory else "",
            base,
            f"{base}-{base.upper()}",
            cls.preferred.get(base, ""),
        ]
        for candidate in tries:
            if candidate and candidate.lower() in known:
                return known[candidate.lower()]
        regional = sorted(code for code in known if code.startswith(base + "-"))
        if regional:
            return known[regional[0]]
        raise ConfigError(f"engine {cls.name!r} does not translate {language!r}")

    @property
    def limit(self) -> int:
        return int(self.settings.options.get("max_chars", self.max_chars))

    @property
    def identity(self) -> str:
        return identity(self.name, self.settings.options)

    @property
    def label(self) -> str:
        """How drafts name the engine (``machine draft: <label> <date>``)."""
        return self.name

    # --- keys and other secrets ----------------------------------------------------------

    @property
    def key_variable(self) -> str:
        return str(self.settings.options.get("key_env", self.key_env_var))

    def _find_key(self) -> str | None:
        variable = self.key_variable
        value = self.settings.environ.get(variable) if variable else None
        named = "key_env" in self.settings.options
        if not value and (self.needs_key or named):
            hint = "" if named else f" (or name another one with key_env in [engines.{self.name}])"
            raise ConfigError(
                f"engine {self.name!r} needs an API key: set the environment variable "
                f"{variable}{hint}"
            )
        return value or None

    def _find_secrets(self) -> dict[str, set[str]]:
        """Variable name -> the forms of its value that no answer may hold."""
        environ = self.settings.environ
        names = {
            self.key_variable,
            *self.settings.secret_variables,
            *(engine.key_env_var for engine in registry().values()),
        }
        names |= {name for name in environ if _SECRET_NAME.search(name)}
        found = {
            name: secret_forms(environ[name]) for name in sorted(names - {""}) if environ.get(name)
        }
        return {name: forms for name, forms in found.items() if forms}

    def screen(self, answer: str, source: str = "") -> None:
        """Refuse (``EngineError``, stopping the run) an answer holding a secret that its
        ``source`` text does not hold: a server that echoes the key must not get it into a
        catalogue, the cache or a message (a value the post itself shows is no leak)."""
        if not self._secrets:
            return
        texts, given = readings(answer), readings(source) if source else set()
        for name, forms in self._secrets.items():
            held = {form for form in forms if any(form in text for text in texts)}
            if held - {form for form in held if any(form in text for text in given)}:
                raise EngineError(
                    f"{self.name}: the answer holds the value of {name} (a "
                    "secret); refused, nothing written; stopped"
                )

    def redact(self, text: str) -> str:
        """``text`` without the key, in any of the forms a URL or a message may hold it."""
        if self._key:
            data = self._key.encode("utf-8")
            encoded = {base64.b64encode(data), base64.urlsafe_b64encode(data)}
            forms = {
                self._key,
                quote(self._key, safe=""),
                quote_plus(self._key),
                *(form.decode("ascii").rstrip("=") for form in encoded),
            }
            for form in sorted(forms, key=len, reverse=True):
                text = text.replace(form, "***")
        return text

    # --- translating -------------------------------------------------------------------

    def translate(self, text: str, source: str, target: str) -> str:
        """One text (within ``limit``) translated from ``source`` to ``target`` (engine
        codes) within the deadline, retried on transient failures; ``EngineError`` once
        they persist, the deadline passes, or the answer is too large or holds a secret."""
        answer = self._attempts(lambda: self._request(text, source, target))
        self.screen(answer, text)
        self.measure(answer, text)
        return answer

    def translate_batch(
        self,
        segments: Sequence[Segment],
        source: str,
        target: str,
        context: BatchContext | None = None,
    ) -> dict[str, str]:
        """Several texts in one request (``batched`` engines): id -> translation, for the
        ids the answer held once (a missing one is the caller's to ask again). The deadline,
        retries, size limit and secret screening hold for the request as for one text."""
        context = context or BatchContext()
        answers = self._attempts(lambda: self._request_batch(segments, source, target, context))
        texts = {segment.id: segment.text for segment in segments}
        for key, answer in answers.items():
            self.screen(answer, texts[key])
        return {
            key: answer
            for key, answer in answers.items()
            if len(answer) <= 10 * len(texts[key]) + 1000
        }

    def _attempts(self, call: Callable[[], _T]) -> _T:
        """``call()`` within one deadline, retried on ``Transient`` failures."""
        self.guard.deadline = time.monotonic() + self.settings.timeout
        self.guard.failure = None
        attempt = 0
        while True:
            attempt += 1
            try:
                return call()
            except Transient as exc:
                failed = exc
            self.settings.sleep(self._wait(failed, attempt))  # outside: no chained trace

    def measure(self, answer: str, text: str) -> None:
        """``NoTranslation`` if ``answer`` is far longer than any translation of ``text``
        (more than ten times and 1,000 characters): no catalogue grows by megabytes."""
        if len(answer) > 10 * len(text) + 1000:
            raise NoTranslation(
                f"{self.name}: the answer is {len(answer):,} characters long "
                f"for a text of {len(text):,}"
            )

    def _wait(self, exc: Transient, attempt: int) -> float:
        """How long to wait before attempt ``attempt + 1``; ``EngineError`` if there is to
        be none: retries used up, the deadline passed or too near for the wait asked."""
        tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
        failure = self.guard.failure
        if isinstance(failure, AnswerTooLarge):
            raise EngineError(
                f"{self.name}: the answer is larger than engine_max_answer "
                f"({self.guard.max_answer:,} bytes); refused, nothing "
                "written; stopped"
            )
        left = self.guard.left()
        if isinstance(failure, DeadlinePassed) or left <= 0:
            raise EngineError(
                f"{self.name}: no complete answer within engine_timeout "
                f"({self.settings.timeout:g} s, {tries}); stopped"
            )
        wait = exc.retry_after
        if wait is None:
            wait = min(self.settings.backoff * 2 ** (attempt - 1), MAX_BACKOFF)
        why = ""
        if exc.retry_after is not None and wait > MAX_RETRY_AFTER:
            why = (
                f", the server asks to wait {wait:g} s (postlingo waits at most "
                f"{MAX_RETRY_AFTER:g} s)"
            )
        elif wait >= left:
            asked = (
                "the server asks to wait"
                if exc.retry_after is not None
                else "the next attempt would wait"
            )
            why = f", {asked} {wait:g} s; engine_timeout leaves {max(left, 0):.1f} s"
        if why or attempt > self.settings.retries:
            raise EngineError(self.redact(f"{self.name}: {exc.reason} ({tries}{why}); stopped"))
        return wait

    def _request(self, text: str, source: str, target: str) -> str:
        raise NotImplementedError

    def _request_batch(
        self, segments: Sequence[Segment], source: str, target: str, context: BatchContext
    ) -> dict[str, str]:
        raise NotImplementedError

    @property
    def max_segments(self) -> int:
        return int(self.settings.options.get("max_segments", self.batch_size))

    @property
    def concurrency(self) -> int:
        return int(self.settings.options.get("concurrency", 1))

    def clone(self) -> Engine:
        """Another engine like this one (its own connection and deadline), for a worker."""
        return type(self)(self.settings)


@dataclass(frozen=True)
class Segment:
    """One text of a batch (masked), and what a changed text had before."""

    id: str
    text: str
    old_source: str | None = None  # a changed text's previous source (masked)
    old_translation: str | None = None  # and its translation, to revise


@dataclass(frozen=True)
class BatchContext:
    """What surrounds a batch: the post's title, the texts before and after it, glossary
    entries that occur in it."""

    title: str = ""
    preceding: str = ""
    following: str = ""
    glossary: tuple[tuple[str, str], ...] = ()  # entries (source, target) in the batch
    terms: tuple[tuple[str, str], ...] = ()  # every entry of the language's glossary


def identity(name: str, options: Mapping[str, Any]) -> str:
    """What distinguishes an engine's answers in the cache: its name and server (never
    the key)."""
    parts = [name, str(options.get("url", ""))]
    for option in ("model", "instructions", "formality"):  # another model, another answer
        if options.get(option) not in (None, ""):
            parts.append(json.dumps(options[option], sort_keys=True))
    return "\n".join(parts)


def _parts(language: str) -> tuple[str, str]:
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return language.split("-")[0].lower(), ""
    return locale.language, locale.territory or ""


# --- HTTP with a timeout, for clients that set none ---------------------------------------


class TimedRequests:
    """Stands in for the ``requests`` module inside one client module while it translates:
    the same calls, through one guarded session (connections are reused, the deadline and
    size limit hold), remembering the last status and error so failures can be classified
    whatever exception the client turns them into. Everything else is the real
    ``requests``."""

    def __init__(self, timeout: float, guard: Guard | None = None):
        self.timeout = timeout
        self.session = guarded_session(guard or Guard(MAX_ANSWER))
        self.status: int | None = None
        self.headers: Mapping[str, str] = {}
        self.error: requests.RequestException | None = None
        self.form_post = False  # send a POST's query parameters as a form body instead

    def reset(self) -> None:
        self.status, self.headers, self.error = None, {}, None

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = self.timeout
        if self.form_post and method == "POST" and not {"data", "json"} & set(kwargs):
            kwargs["data"] = kwargs.pop("params", None)
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            self.error = exc
            raise
        self.status, self.headers = response.status_code, response.headers
        return response

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def Session(self) -> requests.Session:
        return self.session

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)


@contextmanager
def installed(module: ModuleType, http: TimedRequests) -> Iterator[TimedRequests]:
    """``module`` calls ``http`` for ``requests`` inside the block (drafting is sequential:
    no other thread uses the module meanwhile)."""
    real = getattr(module, "requests")  # noqa: B009 - a module attribute mypy cannot see
    setattr(module, "requests", http)  # noqa: B010
    http.reset()
    try:
        yield http
    finally:
        setattr(module, "requests", real)  # noqa: B010


def classify(engine: Engine, exc: BaseException, http: TimedRequests) -> Exception:
    """What a client's exception means, from what was seen on the wire first: its own
    exception types differ from client to client and version to version."""
    timeout = engine.settings.timeout
    if isinstance(http.error, requests.Timeout):
        return Transient(f"no answer within {timeout:g} s")
    if isinstance(http.error, requests.ConnectionError):
        return Transient("could not connect to the server")
    if http.error is not None:
        return Transient(f"the connection failed ({type(http.error).__name__})")
    status = http.status
    if status == 429:
        return Transient("HTTP 429: too many requests", _retry_after(http.headers))
    if status is not None and status >= 500:
        return Transient(f"HTTP {status} from the server")
    if status in (401, 403):
        return EngineError(
            f"{engine.name}: HTTP {status}: the server refused the key"
            f"{f' in {engine.key_variable}' if engine.key_variable else ''}"
        )
    if status == 456:
        return EngineError(f"{engine.name}: HTTP 456: the quota is used up")
    if status is not None and status >= 400:
        return EngineError(f"{engine.name}: HTTP {status}: the server rejected the request")
    if isinstance(exc, ValueError) and "JSON" in type(exc).__name__ + str(exc):
        return Transient("the answer was not valid JSON")
    if isinstance(exc, (KeyError, IndexError, TypeError, AttributeError, ValueError)):
        return Transient(f"the answer could not be read ({type(exc).__name__})")
    return EngineError(engine.redact(f"{engine.name}: {type(exc).__name__}: {exc}"[:300]))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks to wait (``Retry-After``: seconds or an HTTP date)."""
    value = headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time()) if when.tzinfo else None


# --- deep-translator ------------------------------------------------------------------------


def _deep_codes(constant: str) -> frozenset[str]:
    constants = importlib.import_module("deep_translator.constants")
    return frozenset(getattr(constants, constant).values())


class DeepTranslatorEngine(Engine):
    """An engine through one deep-translator class (``client``: ``module:Class``)."""

    client: ClassVar[str] = ""

    def __init__(self, settings: EngineSettings | None = None):
        super().__init__(settings)
        self._http = TimedRequests(self.settings.timeout, self.guard)
        self._translators: dict[tuple[str, str], Any] = {}

    def _module(self) -> ModuleType:
        return importlib.import_module(self.client.split(":")[0])

    def _arguments(self) -> dict[str, Any]:
        """Constructor arguments beyond the languages (the key, passed explicitly)."""
        return {"api_key": self._key} if self._key else {}

    def _translator(self, module: ModuleType, source: str, target: str) -> Any:
        made = self._translators.get((source, target))
        if made is None:
            made = getattr(module, self.client.split(":")[1])(
                source=source, target=target, **self._arguments()
            )
            self._translators[(source, target)] = made
        return made

    def _request(self, text: str, source: str, target: str) -> str:
        module = self._module()
        with installed(module, self._http) as http:
            try:  # a client may call the network when made (Microsoft does): inside too
                answer = self._translator(module, source, target).translate(text)
            except Exception as exc:
                raise classify(self, exc, http) from None
        return self._answer(answer)

    def _answer(self, answer: object) -> str:
        if not isinstance(answer, str) or not answer.strip():
            raise NoTranslation(f"{self.name} gave no translation")
        return answer


class GoogleEngine(DeepTranslatorEngine):
    name = "google"
    client = "deep_translator.google:GoogleTranslator"
    max_chars = 4999  # deep-translator refuses 5,000 and more
    language_codes = _deep_codes("GOOGLE_LANGUAGES_TO_CODES")
    preferred: ClassVar[Mapping[str, str]] = {
        "zh": "zh-CN",
        "zh-Hans": "zh-CN",
        "zh-Hant": "zh-TW",
        "he": "iw",
        "jv": "jw",
        "nb": "no",
        "nn": "no",
    }


class MyMemoryEngine(DeepTranslatorEngine):
    name = "mymemory"
    client = "deep_translator.mymemory:MyMemoryTranslator"
    max_chars = 499  # deep-translator refuses 500 and more
    language_codes = _deep_codes("MY_MEMORY_LANGUAGES_TO_CODES")
    preferred: ClassVar[Mapping[str, str]] = {
        "en": "en-GB",
        "pt": "pt-PT",
        "zh": "zh-CN",
        "zh-Hans": "zh-CN",
        "zh-Hant": "zh-TW",
        "sr": "sr-Latn-RS",
        "no": "nb-NO",
    }
    options: ClassVar[OptionKinds] = {"max_chars": int, "email": str}

    def _arguments(self) -> dict[str, Any]:
        email = self.settings.options.get("email")  # a larger free quota
        return {"email": email} if email else {}

    def _answer(self, answer: object) -> str:
        text = super()._answer(answer)
        if text.startswith("MYMEMORY WARNING"):  # the quota message comes as a translation
            raise EngineError(f"{self.name}: the free quota is used up for today")
        return text


class LibreEngine(DeepTranslatorEngine):
    name = "libre"
    client = "deep_translator.libre:LibreTranslator"
    key_env_var = "LIBRE_API_KEY"  # optional: self-hosted servers often need none
    language_codes = _deep_codes("LIBRE_LANGUAGES_TO_CODES")
    options: ClassVar[OptionKinds] = {"max_chars": int, "url": str, "key_env": str}

    def __init__(self, settings: EngineSettings | None = None):
        super().__init__(settings)
        if not self.settings.options.get("url"):
            raise ConfigError("engine 'libre' needs its server: set url in [engines.libre]")
        # deep-translator puts text and key in the URL: long texts exceed what servers take
        # in a request line, and URLs end up in logs. LibreTranslate reads forms as well.
        self._http.form_post = True

    def _arguments(self) -> dict[str, Any]:
        url = str(self.settings.options["url"])
        # deep-translator insists on a key even where the server wants none.
        return {"api_key": self._key or "-", "custom_url": url.rstrip("/") + "/"}

    def _translator(self, module: ModuleType, source: str, target: str) -> Any:
        made = super()._translator(module, source, target)
        made.api_key = self._key  # no key: send none
        return made


class MicrosoftEngine(DeepTranslatorEngine):
    name = "microsoft"
    client = "deep_translator.microsoft:MicrosoftTranslator"
    needs_key = True
    key_env_var = "MICROSOFT_API_KEY"
    max_chars = 10000  # the service takes 50,000 per request; smaller fails faster
    preferred: ClassVar[Mapping[str, str]] = {
        "zh": "zh-hans",
        "zh-CN": "zh-hans",
        "zh-TW": "zh-hant",
        "pt-PT": "pt-pt",
        "pt-BR": "pt",
        "fr-CA": "fr-ca",
    }
    options: ClassVar[OptionKinds] = {"max_chars": int, "key_env": str, "region": str}

    @classmethod
    def code(cls, language: str, target: bool = True) -> str:
        # The service's list comes with its first answer: map to its lower-case codes.
        return cls.preferred.get(language) or _parts(language)[0]

    def _arguments(self) -> dict[str, Any]:
        region = self.settings.options.get("region")
        return {"api_key": self._key, **({"region": region} if region else {})}


class YandexEngine(DeepTranslatorEngine):
    name = "yandex"
    client = "deep_translator.yandex:YandexTranslator"
    needs_key = True
    key_env_var = "YANDEX_API_KEY"
    max_chars = 10000
    options: ClassVar[OptionKinds] = {"max_chars": int, "key_env": str}

    @classmethod
    def code(cls, language: str, target: bool = True) -> str:
        return _parts(language)[0]


# --- DeepL, through its own client ------------------------------------------------------


class DeeplEngine(Engine):
    """DeepL through the ``deepl`` package (deep-translator sends the key as a query
    parameter, which DeepL no longer accepts): texts in batches, placeholders as XML tags
    (``tag_handling``), the neighbouring text as ``context`` (not billed), ``formality``,
    and a DeepL glossary made from the project's glossary (one per content, reused)."""

    name = "deepl"
    needs_key = True
    key_env_var = "DEEPL_AUTH_KEY"
    max_chars = 30000  # DeepL takes 128 KiB per request
    batched = True
    batch_size = 50  # DeepL takes 50 texts per request
    price = 20.0  # EUR per million characters (DeepL API Pro, 2026)
    # Target codes that need a variant; sources are plain languages.
    variants: ClassVar[Mapping[str, str]] = {
        "en": "EN-GB",
        "en-GB": "EN-GB",
        "en-US": "EN-US",
        "pt": "PT-PT",
        "pt-PT": "PT-PT",
        "pt-BR": "PT-BR",
        "zh": "ZH-HANS",
        "zh-Hans": "ZH-HANS",
        "zh-Hant": "ZH-HANT",
        "zh-TW": "ZH-HANT",
        "es-419": "ES-419",
    }
    options: ClassVar[OptionKinds] = {
        "max_chars": int,
        "key_env": str,
        "url": str,
        "formality": str,
        "max_segments": int,
        "glossary": bool,
        "price": (int, float),
    }

    def __init__(self, settings: EngineSettings | None = None):
        super().__init__(settings)
        self._client: Any = None
        self._glossaries: dict[tuple[str, str, str], str] = {}  # pair + content -> id

    @classmethod
    def code(cls, language: str, target: bool = True) -> str:
        if target and language in cls.variants:
            return cls.variants[language]
        return _parts(language)[0].upper()

    def _request(self, text: str, source: str, target: str) -> str:
        answers = self._request_batch([Segment("1", text)], source, target, BatchContext())
        return answers["1"]

    def _request_batch(
        self, segments: Sequence[Segment], source: str, target: str, context: BatchContext
    ) -> dict[str, str]:
        import deepl

        # The client retries by itself and waits at least min_connection_timeout: hand both
        # to postlingo's policy (they are the module's documented settings). Its first
        # attempt waits at least its initial backoff (1 s), whatever the timeout.
        deepl.http_client.max_network_retries = 0
        deepl.http_client.min_connection_timeout = self.settings.timeout
        try:
            if self._client is None:
                self._client = self._translator(deepl)
            extra = self._extra(source, target, context)
            results = self._client.translate_text(
                [_to_xml(segment.text) for segment in segments],
                source_lang=source,
                target_lang=target,
                preserve_formatting=True,
                tag_handling="xml",
                ignore_tags=["x"],
                **extra,
            )
        except deepl.ConnectionException:
            if isinstance(self.guard.failure, DeadlinePassed):
                raise Transient("no complete answer in time") from None
            raise Transient("no answer or no connection") from None
        except deepl.DeepLException as exc:
            raise self._failure(exc.http_status_code) from None
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise Transient("the answer could not be read") from None
        if not isinstance(results, list) or len(results) != len(segments):
            raise Transient("the answer could not be read")  # not one translation a text
        answers = {}
        for segment, result in zip(segments, results, strict=True):
            answer = getattr(result, "text", None)
            if isinstance(answer, str) and answer.strip():
                answers[segment.id] = _from_xml(answer)
        if not answers:
            raise NoTranslation("deepl gave no translation")
        return answers

    def _extra(self, source: str, target: str, context: BatchContext) -> dict[str, Any]:
        """formality, context and glossary, where configured and given."""
        extra: dict[str, Any] = {}
        formality = self.settings.options.get("formality")
        if formality:
            extra["formality"] = formality
        around = "\n\n".join(
            part for part in (context.title, context.preceding, context.following) if part
        )
        if around:
            extra["context"] = around
        if context.terms and self.settings.options.get("glossary", True):
            extra["glossary"] = self._glossary(source, target, context.terms)
        return extra

    def _glossary(self, source: str, target: str, terms: tuple[tuple[str, str], ...]) -> str:
        """The id of DeepL's glossary for these terms: found by its name (which holds the
        hash of its content) or made; older postlingo glossaries of the pair are deleted."""
        pair = (_parts(source)[0].lower(), _parts(target)[0].lower())
        digest = hashlib.sha256(json.dumps(sorted(terms)).encode("utf-8")).hexdigest()[:16]
        key = (*pair, digest)
        if key in self._glossaries:
            return self._glossaries[key]
        prefix = f"postlingo {pair[0]}-{pair[1]} "
        found = None
        for glossary in self._client.list_glossaries():
            if glossary.name == prefix + digest and found is None:
                found = glossary.glossary_id
            elif str(glossary.name).startswith(prefix):  # stale: the CSV changed since
                self._client.delete_glossary(glossary.glossary_id)
        if found is None:
            entries: dict[str, str] = {}
            for term, translation in terms:  # DeepL takes one target per source term
                entries.setdefault(term, translation)
            found = self._client.create_glossary(
                prefix + digest, pair[0], pair[1], entries
            ).glossary_id
        self._glossaries[key] = str(found)
        return str(found)

    def _translator(self, deepl: ModuleType) -> Any:
        """DeepL's client, its session held to the guard (the deadline and the size limit):
        the client keeps its ``requests`` session as ``_client._session``."""
        url = self.settings.options.get("url")
        client = deepl.Translator(str(self._key), server_url=url, send_platform_info=False)
        session = getattr(getattr(client, "_client", None), "_session", None)
        if not isinstance(session, requests.Session):  # a deadline that cannot hold: stop
            raise EngineError(
                "deepl: this version of the deepl package keeps its HTTP "
                "session elsewhere; postlingo cannot bound its requests"
            )
        guarded_session(self.guard, session)
        return client

    def _failure(self, status: int | None) -> Exception:
        if status == 429:
            return Transient("HTTP 429: too many requests", _retry_after(self.guard.headers))
        if status is not None and status >= 500:
            return Transient(f"HTTP {status} from the server")
        if status == 403:
            return EngineError(
                f"deepl: HTTP 403: the server refused the key in {self.key_variable}"
            )
        if status == 456:
            return EngineError("deepl: HTTP 456: the quota is used up")
        return EngineError(f"deepl: HTTP {status}: the server rejected the request")


_XML_PLACEHOLDER = re.compile(r"\[X(\d+)X\]")
_XML_BACK = re.compile(r"<x\s+i\s*=\s*[\"'](\d+)[\"']\s*/>|<x\s+i\s*=\s*[\"'](\d+)[\"']\s*>\s*</x>")


def _to_xml(text: str) -> str:
    """A masked text as DeepL's XML: placeholders become ``<x i="1"/>`` (kept by
    ``tag_handling``), the text's own ``& < >`` escaped."""
    escaped = html.escape(text, quote=False)
    return _XML_PLACEHOLDER.sub(r'<x i="\1"/>', escaped)


def _from_xml(text: str) -> str:
    """DeepL's XML answer as masked text again (``[X1X]``)."""
    return html.unescape(_XML_BACK.sub(lambda m: f"[X{m.group(1) or m.group(2)}X]", text))


# --- offline engines ----------------------------------------------------------------------


class PseudoEngine(Engine):
    """Pseudo-translation (accented letters): shows which texts a layout translates."""

    name = "pseudo"
    remote = False
    max_chars = 1_000_000
    options: ClassVar[OptionKinds] = {}

    def _request(self, text: str, source: str, target: str) -> str:
        from .pseudo import pseudo_translate

        return pseudo_translate(text)


# --- any OpenAI-compatible chat-completions server -----------------------------------------

PROMPT = """You translate Markdown blog posts from {source} to {target} for a human translator \
to review. The user message is a JSON object: "segments" holds the texts to translate, each \
with an "id"; "title", "preceding", "following" and "glossary" are context only, never \
translated or answered. Placeholders such as [X1X] stand for markup, code, links and terms \
that must stay exactly as they are: keep every placeholder exactly once, unchanged, where \
it belongs in the translated sentence; add no markup of your own (no HTML, no Markdown, no \
Liquid, no braces). Keep line breaks. A segment with "old_source" and "old_translation" \
was translated before and its source has changed since: revise "old_translation" so that \
it translates "text", changing only what the change of source requires. Use the glossary's \
translations. Answer with a JSON object only: {{"translations": [{{"id": "<id>", "text": \
"<translation>"}}]}}, one item per segment, with the segment's id."""

SCHEMA = {
    "type": "object",
    "properties": {
        "translations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "text": {"type": "string"}},
                "required": ["id", "text"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["translations"],
    "additionalProperties": False,
}
_FORMATS = ("json_schema", "json_object", "none")
_FORMALITY = ("default", "more", "less", "prefer_more", "prefer_less")


class OpenAIEngine(Engine):
    """Any server speaking OpenAI's chat-completions protocol (OpenAI, Ollama's ``/v1``,
    vLLM, llama.cpp's server, LiteLLM, OpenRouter, Mistral…), several segments a request.

    Plain ``requests`` through the guarded session rather than the ``openai`` client: that
    client talks through httpx, whose timeouts bound each read but not the whole request,
    and which retries and sleeps ``Retry-After`` on its own; through ``GuardedAdapter`` the
    deadline, the answer size limit and the retry policy are the ones every engine has.
    The protocol is one POST of JSON."""

    name = "openai"
    key_env_var = "OPENAI_API_KEY"  # optional: local servers (Ollama) take none
    max_chars = 100_000  # a segment is never split: the model sees whole paragraphs
    batched = True
    batch_size = 20
    revises = True
    options: ClassVar[OptionKinds] = {
        "url": str,
        "model": str,
        "key_env": str,
        "temperature": (int, float),
        "max_segments": int,
        "concurrency": int,
        "instructions": (str, dict),
        "response_format": str,
        "max_chars": int,
        "price": (int, float),
    }

    def __init__(self, settings: EngineSettings | None = None):
        super().__init__(settings)
        options = self.settings.options
        if not options.get("url") or not options.get("model"):
            raise ConfigError(
                "engine 'openai' needs its server and model: set url and model in [engines.openai]"
            )
        self._session = guarded_session(self.guard)

    @property
    def key_variable(self) -> str:
        """``key_env`` if set; else OPENAI_API_KEY, but only for OpenAI's own server: a key
        for OpenAI is never sent to another server (a local Ollama, OpenRouter…)."""
        if "key_env" in self.settings.options:
            return str(self.settings.options["key_env"])
        host = urlsplit(str(self.settings.options.get("url", ""))).hostname or ""
        return self.key_env_var if host == "api.openai.com" else ""

    @property
    def model(self) -> str:
        return str(self.settings.options["model"])

    @property
    def label(self) -> str:
        return f"{self.name} {self.model}"

    def instructions(self, target: str) -> str:
        """The configured house style for ``target``: a string, or a table by language."""
        value = self.settings.options.get("instructions", "")
        if isinstance(value, Mapping):
            value = value.get(target) or value.get(_parts(target)[0]) or ""
        return str(value)

    def _request(self, text: str, source: str, target: str) -> str:
        answers = self._request_batch([Segment("1", text)], source, target, BatchContext())
        if "1" not in answers:
            raise NoTranslation("openai gave no translation")
        return answers["1"]

    def _request_batch(
        self, segments: Sequence[Segment], source: str, target: str, context: BatchContext
    ) -> dict[str, str]:
        body = self._body(segments, source, target, context)
        url = str(self.settings.options["url"]).rstrip("/") + "/chat/completions"
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        try:
            response = self._session.post(
                url, json=body, headers=headers, timeout=self.settings.timeout
            )
        except requests.Timeout:
            raise Transient(f"no answer within {self.settings.timeout:g} s") from None
        except requests.RequestException as exc:
            if isinstance(exc, AnswerTooLarge):
                raise Transient("the answer is too large") from None
            raise Transient("could not connect to the server") from None
        self._status(response)
        return self._translations(response, {segment.id for segment in segments})

    def _body(
        self, segments: Sequence[Segment], source: str, target: str, context: BatchContext
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "source_language": source,
            "target_language": target,
            "segments": [_segment(segment) for segment in segments],
        }
        if context.title:
            payload["title"] = context.title
        if context.preceding:
            payload["preceding"] = context.preceding
        if context.following:
            payload["following"] = context.following
        if context.glossary:
            payload["glossary"] = [{"source": a, "target": b} for a, b in context.glossary]
        system = PROMPT.format(source=source, target=target)
        extra = self.instructions(target)
        if extra:
            system += "\n\n" + extra
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
            ],
            "temperature": float(self.settings.options.get("temperature", 0.0)),
            "stream": False,
        }
        kind = str(self.settings.options.get("response_format", "json_schema"))
        if kind == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "translations", "strict": True, "schema": SCHEMA},
            }
        elif kind == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def _status(self, response: requests.Response) -> None:
        status = response.status_code
        if status == 429:
            raise Transient("HTTP 429: too many requests", _retry_after(response.headers))
        if status >= 500:
            raise Transient(f"HTTP {status} from the server")
        if status in (401, 403):
            raise EngineError(
                f"openai: HTTP {status}: the server refused the key"
                f"{f' in {self.key_variable}' if self._key else ''}"
            )
        if status >= 400:
            raise EngineError(f"openai: HTTP {status}: the server rejected the request")

    def _translations(self, response: requests.Response, ids: set[str]) -> dict[str, str]:
        """The answer's translations by id: unknown ids dropped, an id given twice with
        different texts dropped too (which one is meant?)."""
        try:
            content = response.json()["choices"][0]["message"]["content"]
            items = json.loads(_unfenced(content))["translations"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise Transient("the answer was not the JSON asked for") from None
        found: dict[str, str] = {}
        doubtful: set[str] = set()
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict):
                continue
            key, text = item.get("id"), item.get("text")
            key = str(key) if isinstance(key, (str, int)) else None
            if key not in ids or not isinstance(text, str) or not text.strip():
                continue
            if key in found and found[key] != text:
                doubtful.add(key)
            found[key] = text
        return {key: text for key, text in found.items() if key not in doubtful}


def _segment(segment: Segment) -> dict[str, str]:
    item = {"id": segment.id, "text": segment.text}
    if segment.old_source is not None and segment.old_translation is not None:
        item["old_source"] = segment.old_source
        item["old_translation"] = segment.old_translation
    return item


def _unfenced(content: object) -> str:
    """The JSON of a message (some models wrap it in a ``` fence despite being asked)."""
    if not isinstance(content, str):
        raise TypeError("no text content")
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


# --- the registry -------------------------------------------------------------------------

GROUP = "postlingo.engines"  # the entry-point group engines register in
MEMORY = "memory"  # translation memory: a drafter of its own, always there, offline


ENGINES: dict[str, type[Engine]] = {
    engine.name: engine
    for engine in (
        GoogleEngine,
        DeeplEngine,
        MicrosoftEngine,
        MyMemoryEngine,
        LibreEngine,
        YandexEngine,
        PseudoEngine,
        OpenAIEngine,
    )
}
_SECRET_OPTIONS = {"key", "api_key", "auth_key", "apikey", "token", "secret"}


@functools.cache
def registry() -> dict[str, type[Engine]]:
    """Every engine by name: the built-ins and those packages register in the entry-point
    group ``postlingo.engines`` (``name = "module:Class"``, a subclass of ``Engine``)."""
    found = dict(ENGINES)
    for point in importlib.metadata.entry_points(group=GROUP):
        try:
            engine = point.load()
        except Exception as exc:  # someone else's package: one line, no traceback
            raise ConfigError(
                f"engine {point.name!r} ({point.value}) could not be loaded: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        if not (isinstance(engine, type) and issubclass(engine, Engine)):
            raise ConfigError(
                f"engine {point.name!r} ({point.value}) is not a postlingo.drafts.engines.Engine"
            )
        if point.name == MEMORY or found.get(point.name, engine) is not engine:
            raise ConfigError(
                f"engine {point.name!r} ({point.value}): the name is taken by a built-in engine"
            )
        if engine.name != point.name:
            raise ConfigError(f"engine {point.name!r} ({point.value}) calls itself {engine.name!r}")
        found[point.name] = engine
    return found


def engine_names() -> list[str]:
    """The names ``engine`` and ``--engine`` accept: memory and every registered engine."""
    return sorted({MEMORY, *registry()})


def engine_class(name: str) -> type[Engine]:
    """The engine called ``name``; ``ConfigError`` if there is none."""
    engines = registry()
    if name not in engines:
        raise ConfigError(f"unknown engine {name!r} (known: {', '.join(engine_names())})")
    return engines[name]


def check_options(table: Mapping[str, Any]) -> str | None:
    """What is wrong with an ``[engines]`` configuration table, or None."""
    engines = registry()
    for name, options in table.items():
        if name not in engines:
            return f"unknown engine {name!r} in 'engines' (known: {', '.join(sorted(engines))})"
        if not isinstance(options, dict):
            return f"engines.{name} must be a table"
        known = engines[name].options
        for option, value in options.items():
            if option.lower() in _SECRET_OPTIONS:
                return (
                    f"engines.{name}.{option}: keys never go in configuration files; put the "
                    f"key in an environment variable and name it with key_env"
                )
            if option not in known:
                allowed = ", ".join(sorted(known)) or "none"
                return f"unknown option {option!r} in engines.{name} (known: {allowed})"
            problem = _check_value(name, option, value, known[option])
            if problem:
                return problem
    return None


def _check_value(name: str, option: str, value: Any, kind: type | tuple[type, ...]) -> str | None:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        what = " or ".join("table" if k is dict else k.__name__ for k in kinds)
        return f"engines.{name}.{option} must be {what}, not {value!r}"
    number = float(value) if isinstance(value, (int, float)) else 0.0
    if option in ("max_chars", "max_segments", "concurrency") and number < 1:
        return f"engines.{name}.{option} must be 1 or more"
    if option == "concurrency" and number > 16:
        return f"engines.{name}.concurrency must be at most 16"
    if option == "url" and not str(value).startswith(("http://", "https://")):
        return f"engines.{name}.url must start with http:// or https://"
    if (
        option == "instructions"
        and isinstance(value, dict)
        and not all(isinstance(text, str) for text in value.values())
    ):
        return f"engines.{name}.instructions: each language's instructions must be a str"
    if option == "response_format" and value not in _FORMATS:
        return f"engines.{name}.response_format must be one of {', '.join(_FORMATS)}"
    if option == "formality" and value not in _FORMALITY:
        return f"engines.{name}.formality must be one of {', '.join(_FORMALITY)}"
    if option in ("temperature", "price") and not 0 <= number <= 1e6:
        return f"engines.{name}.{option} must be 0 or more"
    return None


def make_engine(name: str, options: Mapping[str, Any], **policy: Any) -> Engine:
    """The engine called ``name`` with its options; ``ConfigError`` if unknown or its key
    is missing."""
    return engine_class(name)(EngineSettings(options=dict(options), **policy))


def _register() -> None:
    """Tell the configuration which engine names and options it may accept (it imports
    this module only when a configuration names an engine)."""
    from .. import config

    names = getattr(config, "ENGINE_NAMES", None)
    if names is not None:
        names.register(engine_names, check_options)


_register()
