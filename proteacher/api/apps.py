from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "proteacher.api"
    label = "api"
