"""The one scoped getter: a record from a queryset already narrowed by ``visible_to(user)`` or
``internal_to(user)``, or 404 — exactly as for a record that does not exist, so a hidden record
is never revealed (issue 14 item 6)."""

from __future__ import annotations

from django.http import Http404


def get_or_404(queryset, pk):
    """``queryset.get(pk=pk)``, answering 404 for a missing record and for a malformed key."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
