"""The 22 counties and cities (內政部 administrative codes) with the short names used in certificate numbers."""

COUNTIES = [
    # code, name, short name
    ("63000", "臺北市", "臺北"),
    ("65000", "新北市", "新北"),
    ("68000", "桃園市", "桃園"),
    ("66000", "臺中市", "臺中"),
    ("67000", "臺南市", "臺南"),
    ("64000", "高雄市", "高雄"),
    ("10017", "基隆市", "基隆"),
    ("10018", "新竹市", "竹市"),
    ("10004", "新竹縣", "竹縣"),
    ("10005", "苗栗縣", "苗栗"),
    ("10007", "彰化縣", "彰化"),
    ("10008", "南投縣", "南投"),
    ("10009", "雲林縣", "雲林"),
    ("10020", "嘉義市", "嘉市"),
    ("10010", "嘉義縣", "嘉縣"),
    ("10013", "屏東縣", "屏東"),
    ("10002", "宜蘭縣", "宜蘭"),
    ("10015", "花蓮縣", "花蓮"),
    ("10014", "臺東縣", "臺東"),
    ("10016", "澎湖縣", "澎湖"),
    ("09020", "金門縣", "金門"),
    ("09007", "連江縣", "連江"),
]


def install(county_model) -> None:
    """Create the counties that are missing (never overwrites edits). Takes the model class so the
    data migration and the post_migrate handler can each pass theirs."""
    existing = set(county_model.objects.values_list("code", flat=True))
    county_model.objects.bulk_create(
        county_model(code=code, name=name, short_name=short_name, sort_order=order)
        for order, (code, name, short_name) in enumerate(COUNTIES, start=1)
        if code not in existing
    )
