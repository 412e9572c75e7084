from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "proteacher.documents"
