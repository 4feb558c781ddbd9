from django.apps import AppConfig


class TrajectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trajects"
