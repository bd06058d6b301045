from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "zhichi.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from zhichi.parties import rotation

        rotation.register("identifiers", rotation.rotate_parties)
        rotation.register("contacts", rotation.rotate_contacts)
