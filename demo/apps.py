from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (``manage.py seed_demo``): on top of the stack, imported by nothing but the benchmark."""

    name = "demo"
    verbose_name = "Demo data"
