"""What intake tells the apps above it, which it may not import (docs/architecture.md)."""

from django.dispatch import Signal

# sent inside the transaction that accepted or declined a lead, after the lead is saved:
# ``lead`` (its status says which) and ``case`` (the case opened, or None). The public portal
# tells the person who applied (issue 18 item 6).
lead_decided = Signal()
