from django.urls import path

from proteacher.certification.views import school

app_name = "school"
urlpatterns = [
    # 學校專區: a 學校承辦人's school (by its 學校代碼)
    path("", school.index, name="index"),
    path("<slug:school_code>/", school.overview, name="overview"),
    path("<slug:school_code>/export/", school.export, name="export"),
    path("<slug:school_code>/cases/<int:pk>/recommendation/", school.recommendation, name="recommendation"),
]
