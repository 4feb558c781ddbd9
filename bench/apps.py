from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark (``manage.py bench``): the top of the stack, imported by nothing."""

    name = "bench"
    verbose_name = "Benchmark"
