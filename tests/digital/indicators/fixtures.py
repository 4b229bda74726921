"""Small indicator sets generated in code, in the snapshot format (with a valid content hash)."""

from __future__ import annotations

import copy
import json
from typing import Any

from courseline.digital.indicators import content_hash

SOURCE: dict[str, Any] = {
    "name": "test",
    "version": "2026-01-01-abc",
    "licence": "CC0-1.0",
    "url": "https://example.org/indicators",
    "attribution": "Generated for the test suite.",
}
APPS: list[dict[str, Any]] = [
    {
        "name": "SpyOne",
        "kind": "stalkerware",
        "source": "test",
        "aliases": ["SpyUno"],
        "packages": ["com.spyone.agent", "com.shared.pkg"],
        "certificates": ["AA" * 20],
        "sha256": ["ab" * 32],
        "websites": ["spyone.example"],
        "distribution": ["get.spyone.example"],
        "c2_domains": ["c2.spyone.example"],
        "c2_ips": ["192.0.2.10"],
    },
    {
        "name": "KidWatch",
        "kind": "watchware",
        "source": "test",
        "packages": ["com.kidwatch.child"],
        "certificates": ["BB" * 20],
        "ios_bundles": ["com.kidwatch.iOS"],
    },
    {
        "name": "Family Finder",
        "kind": "dual-use",
        "source": "test",
        "packages": ["com.familyfinder", "com.shared.pkg"],
        "ios_bundles": ["com.familyfinder.ios"],
    },
]


def snapshot(
    apps: list[dict[str, Any]] | None = None,
    *,
    version: str = "2026-01-01+test",
    tamper: bool = False,
) -> bytes:
    body: dict[str, Any] = {
        "format": 1,
        "sources": [copy.deepcopy(SOURCE)],
        "apps": copy.deepcopy(APPS if apps is None else apps),
    }
    body["content_sha256"] = content_hash(body)
    body["version"] = version
    if tamper:
        body["apps"][0]["name"] = "Edited"
    return json.dumps(body).encode()
