from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "zhichi.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from zhichi.common import purges
        from zhichi.documents import casefile, sections
        from zhichi.documents.models import CaseFileExport
        from zhichi.evidence.storage import reseal_rows
        from zhichi.parties import rotation

        sections.register_all()
        rotation.register("documents", casefile.reseal_documents)
        rotation.register("case files", lambda: reseal_rows(CaseFileExport))
        purges.register("case files", casefile.purge_expired)
