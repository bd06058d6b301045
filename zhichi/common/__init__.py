"""Plumbing shared by every app: errors, input checks, page steps, API support, words.

It imports no Zhichi app; the apps import it (see the layers in docs/architecture.md)."""
