"""Federation: pull from and push to a collection on another TAXII 2.1 server.

The remote server is represented locally by an organisation (``peer``): pulled objects are
stored as shared by it (so TLP decides who sees them here), and a push sends only what that
organisation may see under TLP, never objects it sent us itself (no echo). Watermarks make
repeated runs incremental; a run is safe to repeat because identical re-posts are successes.
The client is the standard library's ``urllib``, so the server needs no extra dependency.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from mekong.core import clock
from mekong.identity.models import Organisation
from mekong.threatintel import selectors, services
from mekong.threatintel.models import Collection, SyncState

TAXII_TYPE = "application/taxii+json;version=2.1"
PAGE = 500
PUSH_BATCH = 200


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one sync run did."""

    pulled: int
    pull_failures: int
    pushed: int
    push_failures: int


class TaxiiPeer:
    """A minimal TAXII 2.1 client for one remote collection URL (ending in ``/``)."""

    def __init__(
        self, url: str, *, user: str = "", password: str = "", token: str = "", timeout: int = 30
    ) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.timeout = timeout
        self.auth = ""
        if token:
            self.auth = f"Token {token}"
        elif user:
            self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def _request(
        self, method: str, url: str, body: bytes | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        if not url.startswith(("http://", "https://")):
            raise ValueError("the peer URL must be http(s)")
        request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - checked
        request.add_header("Accept", TAXII_TYPE)
        if body is not None:
            request.add_header("Content-Type", TAXII_TYPE)
        if self.auth:
            request.add_header("Authorization", self.auth)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            payload = json.loads(response.read() or b"{}")
            return payload, dict(response.headers.items())

    def objects_after(self, added_after: str) -> tuple[list[dict[str, Any]], str]:
        """Every object (all versions) added after ``added_after``, and the new watermark."""
        collected: list[dict[str, Any]] = []
        watermark = added_after
        params = f"?limit={PAGE}&match[version]=all"
        if added_after:
            params += f"&added_after={added_after}"
        next_token = ""
        while True:
            url = self.url + "objects/" + params
            if next_token:
                url += "&next=" + urllib.parse.quote(next_token)
            envelope, headers = self._request("GET", url)
            collected += envelope.get("objects", [])
            watermark = headers.get("X-TAXII-Date-Added-Last", watermark)
            if not envelope.get("more"):
                return collected, watermark
            next_token = str(envelope.get("next", ""))
            if not next_token:  # no cursor: continue from the last date_added (§3.5)
                params = f"?limit={PAGE}&match[version]=all&added_after={watermark}"

    def add(self, objects: list[dict[str, Any]]) -> dict[str, Any]:
        """POST objects as an envelope; returns the status resource."""
        body = json.dumps({"objects": objects}).encode()
        status, _ = self._request("POST", self.url + "objects/", body)
        return status


def sync(
    *,
    collection: Collection,
    peer: TaxiiPeer,
    peer_organisation: Organisation,
    pull: bool = True,
    push: bool = True,
) -> SyncResult:
    """Pull new remote objects into ``collection`` and push new local ones to the peer."""
    state, _ = SyncState.objects.get_or_create(
        collection=collection,
        remote_url=peer.url,
        defaults={"peer_organisation": peer_organisation},
    )
    pulled = pull_failures = pushed = push_failures = 0
    if pull:
        objects, watermark = peer.objects_after(state.pulled_until)
        objects = _new_here(collection, objects)
        if objects:
            status = services.objects_add(
                api_root=collection.api_root,
                collection=collection,
                organisation_id=peer_organisation.pk,
                objects=objects,
            )
            pulled, pull_failures = status.success_count, status.failure_count
        state.pulled_until = watermark
    if push:
        rows = selectors.visible_objects(
            organisation_id=peer_organisation.pk, collection=collection
        ).exclude(source_organisation=peer_organisation)
        if state.pushed_until is not None:
            rows = rows.filter(date_added__gt=state.pushed_until)
        batch = list(rows.order_by("date_added", "pk"))
        for start in range(0, len(batch), PUSH_BATCH):
            chunk = batch[start : start + PUSH_BATCH]
            reader = selectors.Reader(peer_organisation.pk, chunk)  # granular markings
            remote = peer.add([reader.view(r) for r in chunk])
            pushed += int(remote.get("success_count", 0))
            push_failures += int(remote.get("failure_count", 0))
            state.pushed_until = chunk[-1].date_added
    state.updated_at = clock.now()
    state.save()
    return SyncResult(pulled, pull_failures, pushed, push_failures)


def _new_here(collection: Collection, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop versions already stored here: our own pushes come back on the next pull."""
    ids = {str(o.get("id")) for o in objects}
    have = set(collection.stix_objects.filter(stix_id__in=ids).values_list("stix_id", "version"))
    return [o for o in objects if (o.get("id"), o.get("modified") or o.get("created")) not in have]
