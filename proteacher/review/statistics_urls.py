from django.urls import path

from proteacher.review.views import statistics

app_name = "statistics"
urlpatterns = [
    # 縣市 / 管理者: 統計 and its workbook
    path("", statistics.statistics_page, name="page"),
    path("export.xlsx", statistics.export, name="export"),
]
