from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "proteacher.audit"
    verbose_name = "稽核紀錄"
