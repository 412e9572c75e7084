"""The 認證總表's filters (學年度, 認證類別)."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.certification.models import CertificationType
from proteacher.text import CleanTextMixin


class SchoolFilterForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    academic_year = forms.TypedChoiceField(label="學年度", required=False, coerce=int, empty_value=None)
    type = forms.ChoiceField(label="認證類別", required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = [("", "全部學年度")] + [(year, f"{year}學年度") for year in years]
        kinds = CertificationType.objects.order_by("sort_order", "id").values_list("code", "name")
        self.fields["type"].choices = [("", "全部類別"), *kinds]

    def filters(self) -> dict:
        """The valid filters; one that is not offered is ignored (the whole list is shown)."""
        if not self.is_valid():
            return {"academic_year": None, "type_code": ""}
        return {"academic_year": self.cleaned_data["academic_year"], "type_code": self.cleaned_data["type"]}
