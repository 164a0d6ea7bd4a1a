"""Recognising YouTube and Vimeo addresses; anything else is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtu.be",
    "www.youtube-nocookie.com",
    "youtube-nocookie.com",
}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


@dataclass(frozen=True)
class Embed:
    provider: str  # youtube | vimeo
    ref: str  # the video id (Vimeo: "id" or "id:hash" for unlisted videos)

    def src(self, origin: str = "") -> str:
        """The privacy-enhanced player address, with the JS API switched on."""
        if self.provider == "youtube":
            query = {"enablejsapi": "1", "rel": "0", "playsinline": "1"}
            if origin:
                query["origin"] = origin
            return f"https://www.youtube-nocookie.com/embed/{self.ref}?{urlencode(query)}"
        video_id, _, private_hash = self.ref.partition(":")
        query = {"dnt": "1"}
        if private_hash:
            query["h"] = private_hash
        return f"https://player.vimeo.com/video/{video_id}?{urlencode(query)}"

    @property
    def player_origin(self) -> str:
        if self.provider == "youtube":
            return "https://www.youtube-nocookie.com"
        return "https://player.vimeo.com"


def parse(url: str) -> Embed | None:
    """The embed for a YouTube or Vimeo address, or ``None`` for anything else."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in YOUTUBE_HOSTS:
        candidate = ""
        if host == "youtu.be" and segments:
            candidate = segments[0]
        elif segments[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            candidate = segments[1]
        return Embed("youtube", candidate) if YT_ID.match(candidate) else None
    if host in VIMEO_HOSTS:
        if host == "player.vimeo.com":
            if len(segments) == 2 and segments[0] == "video" and segments[1].isdigit():
                private_hash = (parse_qs(parts.query).get("h") or [""])[0]
                return _vimeo(segments[1], private_hash)
            return None
        digits = [s for s in segments if s.isdigit()]
        if not digits:
            return None
        index = segments.index(digits[-1])
        after = segments[index + 1] if index + 1 < len(segments) else ""
        return _vimeo(digits[-1], after if re.fullmatch(r"[0-9a-f]{6,20}", after) else "")
    return None


def _vimeo(video_id: str, private_hash: str) -> Embed | None:
    if not re.fullmatch(r"\d{1,15}", video_id):
        return None
    if private_hash and not re.fullmatch(r"[0-9a-f]{6,20}", private_hash):
        private_hash = ""
    return Embed("vimeo", f"{video_id}:{private_hash}" if private_hash else video_id)
