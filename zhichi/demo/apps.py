from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhichi.demo"
    label = "demo"
    verbose_name = "Demo data"
