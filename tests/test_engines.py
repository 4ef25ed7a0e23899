"""Engines: language codes, keys, configuration, and the real clients against a local server
(deep-translator's LibreTranslator and Google client, DeepL's own client)."""

from __future__ import annotations

import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import requests

from libre_server import FakeServer, capitals
from postlingo.config import load_config
from postlingo.drafts.engines import (
    ENGINES,
    GROUP,
    DeeplEngine,
    EngineError,
    GoogleEngine,
    LibreEngine,
    MyMemoryEngine,
    engine_names,
    make_engine,
)
from postlingo.errors import ConfigError

SECRET = "s3cr3t/key+=?&"  # characters a URL must escape


def libre(server: FakeServer, **policy: object) -> LibreEngine:
    settings = {
        "timeout": 2.0,
        "retries": 2,
        "backoff": 0.0,
        "environ": {"LIBRE_API_KEY": SECRET},
        **policy,
    }
    engine = make_engine("libre", {"url": server.url}, **settings)
    assert isinstance(engine, LibreEngine)
    return engine


# --- language codes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "language", "target", "code"),
    [
        (GoogleEngine, "de", True, "de"),
        (GoogleEngine, "en-GB", True, "en"),
        (GoogleEngine, "zh", True, "zh-CN"),
        (GoogleEngine, "zh-TW", True, "zh-TW"),
        (GoogleEngine, "he", True, "iw"),
        (GoogleEngine, "zh-Hant", True, "zh-TW"),
        (MyMemoryEngine, "de", False, "de-DE"),
        (MyMemoryEngine, "en", True, "en-GB"),
        (MyMemoryEngine, "en-US", True, "en-US"),
        (MyMemoryEngine, "pt-BR", True, "pt-BR"),
        (MyMemoryEngine, "fr", True, "fr-FR"),
        (LibreEngine, "pt-BR", True, "pt"),
        (DeeplEngine, "de", False, "DE"),
        (DeeplEngine, "en", True, "EN-GB"),
        (DeeplEngine, "en-US", True, "EN-US"),
        (DeeplEngine, "en-US", False, "EN"),
        (DeeplEngine, "pt-BR", True, "PT-BR"),
    ],
)
def test_language_codes_are_mapped_per_engine(
    engine: type, language: str, target: bool, code: str
) -> None:
    assert engine.code(language, target=target) == code


def test_a_language_the_engine_does_not_know_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="engine 'libre' does not translate 'sv'"):
        LibreEngine.code("sv")


# --- keys and configuration ---------------------------------------------------------------


def test_a_missing_key_names_the_variable_to_set() -> None:
    with pytest.raises(ConfigError, match="set the environment variable DEEPL_AUTH_KEY"):
        make_engine("deepl", {}, environ={})
    with pytest.raises(ConfigError, match=r"set the environment variable MY_KEY$"):
        make_engine("libre", {"url": "http://127.0.0.1:9/", "key_env": "MY_KEY"}, environ={})


def test_the_key_comes_from_the_variable_the_configuration_names() -> None:
    engine = make_engine("deepl", {"key_env": "TEAM_DEEPL"}, environ={"TEAM_DEEPL": SECRET})
    assert engine.redact(f"bad key {SECRET}") == "bad key ***"


def test_libre_needs_its_server() -> None:
    with pytest.raises(ConfigError, match=r"set url in \[engines.libre\]"):
        make_engine("libre", {}, environ={})


def write_config(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "postlingo.toml").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('engine = "babelfish"', "unknown engine 'babelfish'"),
        ('[engines.libre]\nurl = "ftp://x"', "url must start with http"),
        ('[engines.libre]\napi_key = "abc"', "keys never go in configuration files"),
        ('[engines.deepl]\nregion = "eu"', "unknown option 'region' in engines.deepl"),
        ('[engines.google]\nmax_chars = "many"', "engines.google.max_chars must be int"),
        ('[engines.nope]\nurl = "http://x"', "unknown engine 'nope' in 'engines'"),
        ("engine_timeout = 0", "'engine_timeout' must be more than 0"),
        ("engine_retries = -1", "'engine_retries' must be 0 or more"),
        ("memory_threshold = 1.5", "'memory_threshold' must be in (0, 1]"),
        ('compendia = "x.po"', "'compendia' must be a list of str"),
    ],
)
def test_draft_configuration_is_checked_strictly(tmp_path: Path, toml: str, message: str) -> None:
    root = write_config(tmp_path / "site", toml + "\n")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(root)


def test_draft_configuration_is_read(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "site",
        'engine = "libre"\nengine_timeout = 5\n'
        'compendia = ["c/{lang}.po"]\n[engines.libre]\n'
        'url = "http://127.0.0.1:5000"\nkey_env = "LT_KEY"\n',
    )
    config = load_config(root)
    assert (config.engine, config.engine_timeout, config.engine_retries) == ("libre", 5, 3)
    assert config.engines == {"libre": {"url": "http://127.0.0.1:5000", "key_env": "LT_KEY"}}
    assert config.compendia == ["c/{lang}.po"]


def test_every_engine_declares_the_interface() -> None:
    assert set(ENGINES) == {
        "google",
        "deepl",
        "microsoft",
        "mymemory",
        "libre",
        "yandex",
        "pseudo",
        "openai",
    }
    # every built-in is registered through the entry point, as a third-party engine is
    points = {point.name: point.load() for point in entry_points(group=GROUP)}
    assert {name: points.get(name) for name in ENGINES} == ENGINES
    assert engine_names() == sorted({*ENGINES, "memory"})
    for name, engine in ENGINES.items():
        assert engine.name == name
        assert engine.max_chars > 0
        assert not engine.needs_key or engine.key_env_var


# --- deep-translator's LibreTranslator against the local server --------------------------


def test_normal_answers_pass_the_key_explicitly(server: FakeServer) -> None:
    engine = libre(server)
    assert engine.translate("Hallo [X1X] Welt", "de", "en") == "HALLO [X1X] WELT"
    assert [r.key for r in server.requests] == [SECRET]


def test_429_is_retried_after_the_servers_pause(server: FakeServer) -> None:
    server.then(["429", "429"])
    waits: list[float] = []
    engine = libre(server, sleep=waits.append, backoff=5.0)
    assert engine.translate("Hallo", "de", "en") == "HALLO"
    assert [r.behaviour for r in server.requests] == ["429", "429", "normal"]
    assert waits == [0.0, 0.0]  # Retry-After: 0 wins over the backoff


def test_a_long_retry_after_stops_at_once(server: FakeServer) -> None:
    server.then(["429"])
    engine = libre(server)
    original = engine._http.request

    def later(method: str, url: str, **kwargs: object) -> requests.Response:
        response = original(method, url, **kwargs)
        engine._http.headers = {"Retry-After": "3600"}
        return response

    engine._http.request = later  # type: ignore[method-assign]
    with pytest.raises(EngineError, match="the server asks to wait 3600 s"):
        engine.translate("Hallo", "de", "en")
    assert len(server.requests) == 1


def test_5xx_is_retried_with_growing_backoff_then_stops(server: FakeServer) -> None:
    server.then([], default="500")
    waits: list[float] = []
    engine = libre(server, sleep=waits.append, backoff=1.0, retries=3, timeout=30.0)
    with pytest.raises(EngineError, match=r"libre: HTTP 500 from the server \(4 attempts\)"):
        engine.translate("Hallo", "de", "en")
    assert len(server.requests) == 4
    assert waits == [1.0, 2.0, 4.0]


def test_a_server_that_never_answers_ends_within_the_timeout(server: FakeServer) -> None:
    server.then([], default="hang")
    engine = libre(server, timeout=0.3, retries=1)
    started = time.monotonic()
    # One deadline for the text: the hang uses it up, no second attempt is made.
    with pytest.raises(
        EngineError,
        match=r"no complete answer within engine_timeout "
        r"\(0.3 s, 1 attempt\)",
    ):
        engine.translate("Hallo", "de", "en")
    assert time.monotonic() - started < 0.3 + 1.0
    assert len(server.requests) == 1


def test_malformed_json_is_a_clear_failure(server: FakeServer) -> None:
    server.then([], default="bad-json")
    with pytest.raises(EngineError, match=r"the answer was not valid JSON \(3 attempts\)"):
        libre(server).translate("Hallo", "de", "en")


def test_a_refused_key_stops_at_once_without_showing_it(server: FakeServer) -> None:
    server.then(["403"])
    with pytest.raises(EngineError) as caught:
        libre(server).translate("Hallo", "de", "en")
    assert "refused the key in LIBRE_API_KEY" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert len(server.requests) == 1


def test_the_client_module_gets_its_requests_back(server: FakeServer) -> None:
    import deep_translator.libre

    libre(server).translate("Hallo", "de", "en")
    assert deep_translator.libre.requests is requests


def test_the_timeout_holds_for_get_clients_too(server: FakeServer) -> None:
    # Google's client sends GET requests to a fixed address: point it at the local server.
    server.then([], default="hang")
    engine = make_engine("google", {}, timeout=0.3, retries=0, backoff=0.0)
    assert isinstance(engine, GoogleEngine)
    module = engine._module()
    engine._translator(module, "de", "en")._base_url = server.url + "m"
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"no complete answer within engine_timeout \(0\.3 s"):
        engine.translate("Hallo", "de", "en")
    assert time.monotonic() - started < 1.5
    assert server.requests[0].path == "/m"


# --- DeepL's own client -----------------------------------------------------------------


def deepl(server: FakeServer, **policy: object) -> DeeplEngine:
    settings = {
        "timeout": 2.0,
        "retries": 2,
        "backoff": 0.0,
        "environ": {"DEEPL_AUTH_KEY": SECRET},
        **policy,
    }
    engine = make_engine("deepl", {"url": server.url}, **settings)
    assert isinstance(engine, DeeplEngine)
    return engine


def test_deepl_translates_with_the_key_in_a_header(server: FakeServer) -> None:
    server.then(["429"])
    assert deepl(server).translate("Hallo [X1X]", "DE", "EN-GB") == "HALLO [X1X]"
    assert [r.behaviour for r in server.requests] == ["429", "normal"]
    assert server.requests[-1].key == f"DeepL-Auth-Key {SECRET}"


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("403", "refused the key in DEEPL_AUTH_KEY"),
        ("500", r"HTTP 500 from the server \(3 attempts\)"),
        ("bad-json", r"could not be read \(3 attempts\)"),
    ],
)
def test_deepl_failures_are_classified(server: FakeServer, behaviour: str, message: str) -> None:
    server.then([], default=behaviour)
    with pytest.raises(EngineError, match=message) as caught:
        deepl(server).translate("Hallo", "DE", "EN-GB")
    assert SECRET not in str(caught.value)


# --- offline --------------------------------------------------------------------------------


def test_pseudo_engine_keeps_placeholders() -> None:
    answer = make_engine("pseudo", {}).translate("Hallo [X1X] Welt", "de", "en")
    assert "[X1X]" in answer
    assert answer != "Hallo [X1X] Welt"


def test_libre_sends_text_and_key_in_the_body_not_the_url(server: FakeServer) -> None:
    seen: list[str] = []
    engine = libre(server)
    original = engine._http.session.request

    def spy(method: str, url: str, **kwargs: object) -> requests.Response:
        seen.append(url)
        assert "params" not in kwargs or not kwargs["params"]
        return original(method, url, **kwargs)

    engine._http.session.request = spy  # type: ignore[method-assign]
    long_text = "Größe " * 800  # about 14 KB once percent-encoded
    assert engine.translate(long_text, "de", "en") == capitals(long_text)
    assert seen == [server.url + "translate"]
    assert server.requests[0].key == SECRET
