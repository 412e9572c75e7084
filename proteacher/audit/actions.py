"""The audit log's vocabulary: each action's code (stored) and what 管理者 reads (稽核紀錄).

Add a code here before recording it; the search page and the personal-data export name actions
by these labels.
"""

LABELS = {
    # Signing in and the second factor.
    "login.ok": "登入",
    "login.failed": "登入失敗",
    "logout": "登出",
    "mfa.enrol": "設定雙因素驗證",
    "mfa.failed": "雙因素驗證失敗",
    "mfa.recovery_used": "使用復原碼",
    "mfa.reset": "重設雙因素驗證",
    # A teacher's forms and files.
    "slot.save": "儲存表單",
    "slot.autosave": "自動儲存",
    "slot.upload": "上傳檔案",
    "slot.remove_upload": "取消上傳",
    "slot.use": "改用表件",
    "slot.discard": "刪除未使用的表件",
    "appeal.save": "儲存申復表",
    # A case's state (the workflow's transition(), beside its CaseEvent).
    "case.transition": "流程變更",
    # The back office's forms.
    "formal.save": "儲存形式審查表",
    "review.save": "儲存審查標準表",
    "review.submit": "送出審查標準表",
    "review.extend_due": "延長委員審查期限",
    # Settings, people, master data.
    "settings.change": "認證設定變更",
    "staff.create": "新增帳號",
    "staff.change": "帳號變更",
    # 學校承辦人: granted and revoked by the county (accounts.school_officers); what they do for the school.
    "school_officer.grant": "授權學校承辦人",
    "school_officer.revoke": "撤銷學校承辦人",
    "school.recommend": "學校填寫推薦表",
    "school.export": "匯出認證總表",
    "profile.change": "個人資訊變更",
    "notice_preference.change": "通知設定變更",
    "import.run": "匯入資料",
    "import.submit": "上傳匯入檔",
    "import.check": "檢查匯入檔",
    "import.confirm": "確認匯入",
    "import.fail": "匯入失敗",
    # 核定可產證 / 發證 of chosen cases, queued for the worker (each case's move is a case.transition).
    "issuing.batch": "建立發證批次",
    # A certificate's holder reminded that it runs out (certification.expiry, the worker's job).
    "certificate.expiry_reminder": "證書到期提醒",
    # The one who acts by a deadline reminded of it, or told it passed (certification.reminders).
    "case.deadline_reminder": "期限提醒",
    # 期程 (申請期間, 修正期限, 審查期限) of a type and year, nationally or for a county, saved.
    "settings.period": "期程設定變更",
    # Email that failed, put back in the queue by 管理者.
    "mail.resend": "重新寄送郵件",
    # The API for county and national systems: its tokens, and every call made with one.
    "api_token.create": "新增 API 權杖",
    "api_token.revoke": "撤銷 API 權杖",
    "api.call": "API 呼叫",
    # Someone other than the teacher looked at the teacher's form or file.
    "form.view": "檢視表單",
    "file.view": "檢視檔案",
    # Personal-data rights.
    "personal_data.export": "下載個人資料",
    "retention.purge": "依保存期限清除資料",
}

# What a teacher is shown as "who looked at my files" (and what the personal-data export lists).
VIEWS = ("form.view", "file.view")


def label(code: str) -> str:
    return LABELS.get(code, code)
