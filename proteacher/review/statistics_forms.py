"""統計's filters: 認證類別 · 學年度 · 縣市 (管理者 only) · 學校; every field optional."""

from django import forms

from proteacher.accounts.login_forms import BootstrapFormMixin
from proteacher.review.statistics import StatisticsFilters
from proteacher.text import CleanTextMixin, SearchInput


class StatisticsFilterForm(CleanTextMixin, BootstrapFormMixin, forms.Form):
    certification_type = forms.TypedChoiceField(label="認證類別", required=False, coerce=int, empty_value=None)
    academic_year = forms.TypedChoiceField(label="學年度", required=False, coerce=int, empty_value=None)
    county = forms.TypedChoiceField(label="縣市", required=False, coerce=int, empty_value=None)
    school = forms.CharField(label="學校（名稱或代碼）", required=False, max_length=100, widget=SearchInput)

    def __init__(self, data, *, types, years, counties=None):
        super().__init__(data)
        self.fields["certification_type"].choices = [("", "全部")] + list(types)
        self.fields["academic_year"].choices = [("", "全部")] + [(year, f"{year}學年度") for year in years]
        if counties is None:
            # A 縣市 sees its own county: the filter is fixed and not offered.
            del self.fields["county"]
        else:
            self.fields["county"].choices = [("", "全部")] + list(counties)

    def filters(self) -> StatisticsFilters:
        """The valid filters; a value that does not parse (an old link, a typo) filters nothing and
        is named by ignored() so the page can say so."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return StatisticsFilters(
            certification_type=data.get("certification_type"),
            academic_year=data.get("academic_year"),
            county=data.get("county"),
            school=(data.get("school") or "").strip(),
        )

    def ignored(self) -> list[str]:
        """The labels of the filters whose values were refused."""
        self.is_valid()
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]
