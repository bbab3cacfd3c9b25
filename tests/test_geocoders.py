"""Opt-in online geocoding against a local Nominatim stand-in on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from geo.geocoders import online_geocoder, relocate
from geo.model import Mention


def mention(name: str, cc: str, lat: float = 0.0, lon: float = 0.0) -> Mention:
    return Mention("a", 0, len(name), name, name, lat, lon, "city", cc, f"geonames:{name}", 0.9)


class FakeNominatim(BaseHTTPRequestHandler):
    calls: list[dict[str, list[str]]] = []
    mode = "ok"
    coordinates = ("40.4093", "49.8671")

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        query = parse_qs(urlparse(self.path).query)
        FakeNominatim.calls.append(query)
        if FakeNominatim.mode == "slow":
            time.sleep(1.5)
        if FakeNominatim.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        lat, lon = FakeNominatim.coordinates
        answer = [{"lat": lat, "lon": lon, "display_name": "Bakı, Azərbaycan",
                   "osm_type": "relation", "osm_id": 3545326}]  # fmt: skip
        body = json.dumps(answer if query["q"][0] == "Baku" else []).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except BrokenPipeError:
            pass  # the client gave up (the timeout test)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    FakeNominatim.calls = []
    FakeNominatim.mode = "ok"
    FakeNominatim.coordinates = ("40.4093", "49.8671")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    # A short poll: shutdown() waits for one (the default 0.5 s, at every test's end).
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_online_answers_replace_offline_ones_and_are_cached(server: str, tmp_path: Path) -> None:
    geocoder = online_geocoder("nominatim", user_agent="geo-storymap-tests", url=server)
    cache = tmp_path / "cache.json"
    mentions = [mention("Baku", "AZ"), mention("Baku", "AZ"), mention("Atlantis", "")]
    out = relocate(mentions, geocoder, cache, min_delay_seconds=0)
    assert (out[0].lat, out[0].lon) == (40.4093, 49.8671)
    assert out[0].gazetteer_id == "nominatim:relation/3545326"
    assert out[2] == mentions[2]  # nothing found online: the offline answer stays
    assert len(FakeNominatim.calls) == 2  # each distinct name once
    assert FakeNominatim.calls[0]["countrycodes"] == ["az"]
    again = relocate(mentions, geocoder, cache, min_delay_seconds=0)
    assert again == out and len(FakeNominatim.calls) == 2  # served from the disk cache


@pytest.mark.parametrize("mode", ["error", "slow"])
def test_errors_and_timeouts_fall_back_to_the_offline_answer(
    server: str, tmp_path: Path, mode: str
) -> None:
    FakeNominatim.mode = mode
    geocoder = online_geocoder("nominatim", user_agent="tests", url=server, timeout=0.3)
    mentions = [mention("Baku", "AZ", 40.0, 49.0)]
    assert relocate(mentions, geocoder, tmp_path / "c.json", min_delay_seconds=0) == mentions


def test_requests_are_rate_limited_to_one_per_second(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geopy.extra.rate_limiter import RateLimiter

    now = [1000.0]
    sleeps: list[float] = []

    def fake_sleep(self: RateLimiter, seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(RateLimiter, "_clock", lambda self: now[0])
    monkeypatch.setattr(RateLimiter, "_sleep", fake_sleep)
    geocoder = online_geocoder("nominatim", user_agent="tests", url=server)
    names = [mention("Baku", "AZ"), mention("Atlantis", ""), mention("Lemuria", "")]
    relocate(names, geocoder, tmp_path / "c.json")
    assert sleeps == [1.0, 1.0]  # three requests, a second apart


def test_nominatim_needs_a_user_agent() -> None:
    with pytest.raises(ValueError, match="user agent"):
        online_geocoder("nominatim", user_agent=None)


@pytest.mark.parametrize(
    "coordinates", [("999", "49.8"), ("40.4", "400"), ("nan", "49.8"), ("40.4", "inf")]
)
@pytest.mark.filterwarnings("ignore:Latitude normalization")
def test_replies_off_the_globe_fall_back_to_the_offline_answer(
    server: str, tmp_path: Path, coordinates: tuple[str, str]
) -> None:
    FakeNominatim.coordinates = coordinates
    geocoder = online_geocoder("nominatim", user_agent="tests", url=server)
    mentions = [mention("Baku", "AZ", 40.0, 49.0)]
    cache = tmp_path / "c.json"
    assert relocate(mentions, geocoder, cache, min_delay_seconds=0) == mentions
    assert "Baku|AZ" not in (json.loads(cache.read_text()) if cache.exists() else {})


def test_a_tampered_cache_entry_is_asked_again_not_used(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "c.json"
    bad = {"lat": 999, "lon": 0, "id": "nominatim:node/1"}
    cache.write_text(json.dumps({"Baku|AZ": bad}), encoding="utf-8")
    geocoder = online_geocoder("nominatim", user_agent="tests", url=server)
    out = relocate([mention("Baku", "AZ")], geocoder, cache, min_delay_seconds=0)
    assert (out[0].lat, out[0].lon) == (40.4093, 49.8671)


@pytest.mark.filterwarnings("ignore:Latitude normalization")
def test_cli_with_a_reply_at_latitude_999_builds_with_offline_places(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from geo.cli import main

    monkeypatch.setattr("geo.geocoders.default_cache_path", lambda: tmp_path / "online.json")
    FakeNominatim.coordinates = ("999", "49.8")
    article = tmp_path / "talks.txt"
    article.write_text("Leaders met in Baku on Monday.\n", encoding="utf-8")
    argv = ["geoparse", str(article), "--jsonl", "--geocoder", "nominatim"]
    code = main([*argv, "--user-agent", "tests", "--nominatim-url", server])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err
    baku = json.loads(out)["mentions"][0]
    assert abs(baku["lat"] - 40.38) < 0.2 and baku["gazetteer_id"].startswith("geonames:")
