from django.urls import path

from proteacher.documents.views import blanks

app_name = "documents"
urlpatterns = [
    # The blank template of an upload form, to fill in, stamp and scan (下載文件).
    path("blank/<slug:code>.<str:fmt>", blanks.download_blank, name="blank"),
]
