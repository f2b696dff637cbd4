"""Who an Open311 call is: the client its `api_key` names, as a Viewer that reads its micro-grid's subtree."""

from __future__ import annotations

from grids.viewer import Viewer, ViewerKind

from .models import Open311Client


def client_viewer(client: Open311Client) -> Viewer:
    """The client's Viewer: its micro-grid's subtree (the key's unit, already loaded with it), and nobody."""
    return Viewer.for_client(ViewerKind.OPEN311_CLIENT, client, [client.unit.path], label=f"open311:{client.prefix}")
