from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployersConfig(AppConfig):
    name = "zhichi.employers"
    label = "employers"
    verbose_name = _("Joint actions and employers")

    def ready(self) -> None:
        from zhichi.cases.services.derived import after_regrade
        from zhichi.employers import sections
        from zhichi.employers.alerts import alert_on_employer_risk

        sections.register_all()
        after_regrade(alert_on_employer_risk)
