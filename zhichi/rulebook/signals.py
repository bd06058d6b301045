"""What the law library tells the apps above it (it imports none of them).

``threshold_entered`` is sent after the commit of a new province figure of 数额较大 (rule CR-4),
with ``threshold`` (the new CriminalThreshold row): the cases app runs the criminal-lead check
again on the province's open wage cases (docs/law-library.md).
"""

from django.dispatch import Signal

threshold_entered = Signal()
