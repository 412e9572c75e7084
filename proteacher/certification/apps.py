from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "proteacher.certification"
