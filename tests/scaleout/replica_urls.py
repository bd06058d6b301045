"""The site's URLs and one probe view, for the read replica's tests (tests/scaleout/test_replica.py).

The probe reads cases, writes, reads again, and reads once more inside a transaction; each step
names a case number that no case has, so the test finds on which connection each one ran."""

from django.db import transaction
from django.http import HttpResponse
from django.urls import path

from zhichi import urls as site
from zhichi.cases.models import Case

BEFORE_WRITE, WRITE, AFTER_WRITE, IN_TRANSACTION = 990101, 990102, 990103, 990104


def probe(request):
    Case.objects.filter(pk=BEFORE_WRITE).exists()
    if request.GET.get("write"):
        Case.objects.filter(pk=WRITE).update(summary="")  # a write that changes no row
    Case.objects.filter(pk=AFTER_WRITE).exists()
    with transaction.atomic():
        Case.objects.filter(pk=IN_TRANSACTION).exists()
    return HttpResponse("ok")


urlpatterns = [path("replica-probe/", probe, name="replica_probe"), *site.urlpatterns]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
