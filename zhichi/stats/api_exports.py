"""Excel exports of the lists in the partner API (API.md § Statistics, imports, webhooks)."""

from __future__ import annotations

from ninja import Router

exports_router = Router()
