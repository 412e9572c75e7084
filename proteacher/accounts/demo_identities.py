"""Identities the development identity page offers (and `load_demo` gives records to).

Each is what the national network would send at SSO: the account (subject) and the four claims.
"""

# The staff accounts' password in the demo data (and the tests' personas); published in README, so
# load_demo refuses to run on a live platform unless forced.
DEMO_PASSWORD = "Demo-pass-2026"  # nosec B105 # the demo accounts' password, published in README; load_demo only
# Their second factor, published in README too: the authenticator key (type it into any app, or
# use a recovery code), and ten recovery codes each usable once. load_demo gives them to a demo
# account that has no factor of its own.
DEMO_TOTP_KEY = "DEMO DEMO DEMO DEMO DEMO DEMO DEMO DEMO"
DEMO_RECOVERY_CODES = [f"demo-26{n:02d}" for n in range(1, 11)]

DEMO_IDENTITIES = [
    {
        # Verified by load_demo; meets every 進階 rule (years, 初階 certificate, 18 hours).
        "sub": "t-eligible",
        "name": "黃測試",
        "school": "臺北市立成淵高級中學",
        "title_code": "8",
        "county": "臺北市",
        "note": "已完成教師驗證，符合進階認證資格",
    },
    {
        # Verified by load_demo; meets every 初階 rule (6 hours of 初階 training this academic year).
        "sub": "t-basic",
        "name": "劉初階",
        "school": "臺北市立東門國民小學",
        "title_code": "8",
        "county": "臺北市",
        "note": "已完成教師驗證，符合初階認證資格",
    },
    {
        # Verified by load_demo; meets every 教學輔導教師 rule (years, 進階 certificate, 30 hours).
        "sub": "t-mentor",
        "name": "許輔導",
        "school": "臺北市立金華國民中學",
        "title_code": "8",
        "county": "臺北市",
        "note": "已完成教師驗證，符合教學輔導教師認證資格",
    },
    {
        # Verified by load_demo; fails the years and hours rules of 進階.
        "sub": "t-ineligible",
        "name": "林測試",
        "school": "臺中市立大墩國民中學",
        "title_code": "8",
        "county": "臺中市",
        "note": "已完成教師驗證，年資與研習時數不符進階認證資格",
    },
    {
        # First login: goes through 教師驗證; the old system has two certificates.
        "sub": "t-first",
        "name": "陳新進",
        "school": "臺北市立松山國民小學",
        "title_code": "8",
        "county": "臺北市",
        "note": "首次登入，舊系統有證號資料",
    },
    {
        # First login: the old system knows nothing of this teacher.
        "sub": "t-nodata",
        "name": "張無資料",
        "school": "臺中市西屯區大鵬國民小學",
        "title_code": "8",
        "county": "臺中市",
        "note": "首次登入，舊系統沒有資料",
    },
    {
        # School, county and title code unknown to master data: flagged for 管理者, never a crash.
        "sub": "t-unknown",
        "name": "吳未知",
        "school": "測試縣立不存在國小",
        "title_code": "99",
        "county": "測試縣",
        "note": "學校、縣市與職稱代碼不在主檔中",
    },
]
