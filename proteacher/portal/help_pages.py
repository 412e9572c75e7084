"""操作教學: the platform's manual for every role, step by step, with screenshots of this platform.

The teacher's sections follow the seed's manual, on to 退件修正, 修正後複審 and 申復; the
縣市, 委員 and 管理者 each have theirs. Every screenshot is taken by a browser test (most by the
accessibility sweep, `portal/tests/test_browser_accessibility.py`, which opens every page) under
the file's name; `make help-screenshots` runs the browser tests and copies them into static/help.
`portal/tests/test_help.py` holds the list and the files to each other.
"""

ROLES = [("teacher", "教師"), ("county", "縣市教專中心"), ("reviewer", "審查委員"), ("admin", "管理者 (工作小組)")]


def _shot(name: str, caption: str) -> dict:
    return {"file": f"help/{name}.png", "caption": caption}


SECTIONS = [
    {
        "role": "teacher",
        "anchor": "login",
        "title": "一、登入",
        "steps": [
            "於平臺首頁點選「使用者登入」。",
            "點選左邊「全國教師在職進修資訊網 帳號漫遊登入」。",
            "於「身份認證漫遊服務」頁面確認帶入的姓名、服務學校、職稱代碼與學校所屬縣市是否為本人，按「確定登入」。",
        ],
        "shots": [],
    },
    {
        "role": "teacher",
        "anchor": "verify",
        "title": "二、首次進入平臺：教師驗證",
        "steps": [
            "首次進入平臺需進行教師驗證（也可點選右上方名字進入）。",
            "填寫您的聯絡電話、Email、任職學等、領域、取得正式教師時間與實際教學年資，按「下一步」。",
            "至信箱收取驗證碼，填入「驗證Email」畫面後按「驗證」。驗證碼傳送最久需3-5分鐘，請勿重複送出驗證。",
            "資料轉移：確認舊系統的認證證號。資料有誤時可選擇「資料全部錯誤 不匯入」；證號若顯示年度並非錯誤，請選擇匯入；只要資料有部分正確，請先選擇「匯入 (資料正確或部分正確)」，再與系統管理者聯絡補正。若無資料直接按「確定」。",
            "完成後可點選右上方名字進入個人資訊，查看基本資訊、認證證號與研習時數。",
        ],
        "shots": [
            _shot("first-login-step1", "教師驗證：1 填寫資料"),
            _shot("first-login-transfer", "教師驗證：2 資料轉移"),
            _shot("profile-certificates", "個人資訊：認證證號"),
        ],
    },
    {
        "role": "teacher",
        "anchor": "apply",
        "title": "三、進入認證專區與申請",
        "steps": [
            "點選上方「認證專區」，再點選欲申請的認證（例如進階專業回饋人才認證）。",
            "畫面顯示申請資格，符合資格者按「申請」。",
            "若資格不符，該項目旁會出現「資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證」，請洽詢所屬縣市之教專中心。",
            "每學年度每種認證可申請一次；本學年度已申請過時會顯示「目前沒有可申請的認證 (本學年度已申請過)」。",
        ],
        "shots": [
            _shot("eligibility-table-eligible", "申請資格與「申請」按鈕"),
            _shot("eligibility-refused", "資格不符時的畫面"),
        ],
    },
    {
        "role": "teacher",
        "anchor": "forms",
        "title": "四、上傳或填寫表單",
        "steps": [
            "於「流程進度」頁面的編輯表單列表，從下拉式選單選擇表件後（「新增」鍵由反白轉為綠色），再點選「新增」；已填寫的表單按鈕為「編輯」。",
            "上傳表件（公開授課實施證明、教師專業學習社群參與證明、認證檢核表）：點選「下載文件」取得空白表件，填寫並核章後掃描或拍照存成PDF檔，再於表單頁面上傳並按「儲存」。限制PDF，檔案限制 2MB，附件總數為一個檔案。",
            "線上表件（觀察前會談紀錄表、觀察紀錄表、觀察後回饋會談紀錄表）：直接於網頁填寫，標示 * 的欄位為必填，按「儲存」。尚未填完也可以先儲存，系統會提示尚未填寫的欄位。",
            "如何將 Word 文件存成 PDF：請參考「前往 Microsoft Office 轉存 PDF 教學」。",
        ],
        "shots": [
            _shot("case-page-new", "流程進度：編輯表單列表"),
            _shot("upload-saved", "上傳表件：上傳PDF檔後儲存"),
            _shot("online-pre-conference-a", "線上表件：觀察前會談紀錄表-甲 (觀課人員填寫)"),
        ],
    },
    {
        "role": "teacher",
        "anchor": "submit",
        "title": "五、送出審查文件",
        "steps": [
            "所有表單皆已完成（填寫狀態為「已完成」）後，按「送出審查文件」。尚有表單未完成時，系統會列出未完成的項目。",
            "送出後狀態變為「形式審查」，表單僅供檢視，不能再修改。審查結果將以訊息通知並同步寄送E-MAIL。",
        ],
        "shots": [
            _shot("case-page-filled", "全部表單已完成，按「送出審查文件」"),
            _shot("case-page-sent", "送出後狀態為「形式審查」"),
        ],
    },
    {
        "role": "teacher",
        "anchor": "returned",
        "title": "六、形式審查退件修正",
        "steps": [
            "形式審查退件時，會收到「申請○○退件」的訊息通知與E-MAIL，狀態回到「準備資料」。",
            "於流程進度的「查看表單列表」檢視形式審查表：每一項表單的審查結果與原因訊息。",
            "依原因訊息修正或重新上傳表單後，再按「送出審查文件」。",
        ],
        "shots": [_shot("help-teacher-returned", "形式審查退件：相關訊息與查看表單列表")],
    },
    {
        "role": "teacher",
        "anchor": "revision",
        "title": "七、修正後複審：送出複審資料",
        "steps": [
            "初審結果為「修正後複審」時，狀態為「初審修正資料」，可再編輯表單。",
            "於「查看表單列表」檢視初審委員的審查標準表與原因訊息，依意見修正表單。",
            "修正完成後按「送出複審資料」，確認後送出；送出後表單鎖定，由縣市教專中心分發委員進行複審。",
        ],
        "shots": [_shot("help-teacher-revision", "初審修正資料：修正表單後按「送出複審資料」")],
    },
    {
        "role": "teacher",
        "anchor": "appeal",
        "title": "八、申復",
        "steps": [
            "初審或複審未通過時，可於收到通知後10日(含假日)內提出申復；流程進度會顯示申復期限。逾期未申復，認證結果即為不合格。",
            "於編輯表單列表的「申覆文件」填寫認證審查結果申復表（審查委員意見與申復意見）並儲存，再按「申復」。",
            "縣市教專中心受理後，狀態為「申復修正資料」：依審查意見修正表單，按「申復重新送審」。未受理時會以訊息通知說明原因。",
        ],
        "shots": [_shot("help-teacher-appeal", "初審未通過：申復期限與「申復」")],
    },
    {
        "role": "teacher",
        "anchor": "certificate",
        "title": "九、證書與查驗",
        "steps": [
            "發證後，可於個人資訊的「認證證號」檢視證號、下載證書 PDF 與數位證書。",
            "證書上的 QR Code 與證號可供學校或他人於「證書查驗」頁面確認證書有效。",
        ],
        "shots": [_shot("help-teacher-certificates", "個人資訊：認證證號與證書下載")],
    },
    {
        "role": "county",
        "anchor": "staff",
        "title": "縣市、委員與管理者：登入",
        "steps": [
            "於「使用者登入」頁面右邊「縣市與管理者登入」輸入帳號與密碼，按「登入」。",
            "接著進行「雙因素驗證」：輸入手機驗證器 App 顯示的 6 位數驗證碼，或使用通行金鑰；手機不在身邊時，可輸入一組復原碼（每組只能使用一次）。",
            "第一次登入時，請依畫面「設定雙因素驗證」：以驗證器 App 掃描 QR Code（或手動輸入金鑰）並輸入驗證碼，或新增通行金鑰；完成後畫面會顯示 10 組復原碼，只顯示這一次，請下載或列印後妥善保存。",
            "遺失手機或通行金鑰時，請洽工作小組（管理者）於「帳號管理」重設雙因素驗證，下次登入時重新設定。",
            "密碼多次輸入錯誤後，須等候 15 分鐘才能再從同一處登入；忘記密碼請點選「忘記密碼」，系統將寄送重設連結至帳號的 Email。",
        ],
        "shots": [_shot("help-staff-second-factor", "雙因素驗證")],
    },
    {
        "role": "county",
        "anchor": "queue",
        "title": "縣市：認證審查與匯出",
        "steps": [
            "於「功能專區」點選「認證審查」：上方「待處理」的頁籤依狀態列出等待您處理的案件與件數，「其他狀態」為等待教師或委員的案件與結果。",
            "可依認證類別、學年度、學校或教師姓名篩選；按「匯出 Excel」取得目前篩選的案件清單。",
            "點選案件進入案件頁面，可檢視申請資料、各次送審紀錄與案件歷程。",
        ],
        "shots": [_shot("help-office-queue", "認證審查：依狀態分頁的案件列表")],
    },
    {
        "role": "county",
        "anchor": "formal",
        "title": "縣市：形式審查",
        "steps": [
            "開啟狀態為「形式審查」的案件，逐項檢視教師送出的表單與檔案，並於形式審查表勾選每一項是否符合。",
            "全部符合時選擇「通過 (準備分發委員)」；有缺漏時選擇「退件 (退回再編輯修正)」並填寫原因訊息，教師會收到訊息通知與E-MAIL。",
        ],
        "shots": [_shot("help-office-formal", "形式審查：逐項勾選與通過／退件")],
    },
    {
        "role": "county",
        "anchor": "assign",
        "title": "縣市：分發委員",
        "steps": [
            "形式審查通過的案件狀態為「初審分發委員」；於案件頁面按「分發委員」，勾選審查委員後確認分發。",
            "與申請教師同校的委員會反灰，不能分發；也可於「分發委員」列表一次分發多件案件（全部分發）。",
            "委員全部送出審查標準表後，案件進入「初審判定」（複審、申復亦同）。",
        ],
        "shots": [_shot("help-office-assign", "分發委員：勾選審查委員")],
    },
    {
        "role": "county",
        "anchor": "decide",
        "title": "縣市：判定",
        "steps": [
            "開啟狀態為「初審判定」「複審判定」或「申復判定」的案件，檢視各委員的審查標準表與建議結果。",
            "選擇判定結果（例如「通過 / 修正後通過 (代表通過)」「修正後複審」「未通過 (可以申復)」），需要時填寫原因訊息，按「送出判定」。",
            "判定後教師會收到訊息通知與E-MAIL；未通過時通知會附上申復期限。",
        ],
        "shots": [_shot("help-office-decide", "判定：委員建議與判定結果")],
    },
    {
        "role": "county",
        "anchor": "appeal-intake",
        "title": "縣市：申復受理",
        "steps": [
            "教師提出申復後，案件狀態為「申復審查 (受理中)」；開啟案件檢視認證審查結果申復表。",
            "選擇「申復申請案受理 (將進行申復審查)」，或「申復申請案未受理」並填寫原因訊息。受理後由教師修正資料並申復重新送審，再分發申復審查委員。",
        ],
        "shots": [_shot("help-office-appeal-intake", "申復受理：申復表與受理／未受理")],
    },
    {
        "role": "county",
        "anchor": "statistics",
        "title": "縣市：統計",
        "steps": [
            "於「功能專區」點選「統計」，檢視所轄縣市各認證類別、學年度與狀態的案件數，可匯出 Excel。",
        ],
        "shots": [_shot("help-office-statistics", "統計")],
    },
    {
        "role": "reviewer",
        "anchor": "reviewer",
        "title": "委員：審查案件與審查標準表",
        "steps": [
            "登入後於「功能專區」點選「審查案件」，列出分發給您的案件、審查階段與是否已送出。",
            "開啟案件的審查標準表：左側可檢視教師送出的各項表單與檔案（複審、申復時可比較前一次送審內容），右側逐項評定並填寫審查意見。",
            "可先「儲存」稍後再填；完成後按「送出」，送出後不能再修改。所有委員送出後，由縣市教專中心判定。",
        ],
        "shots": [
            _shot("help-reviewer-cases", "審查案件：分發給委員的案件"),
            _shot("help-reviewer-form", "審查標準表"),
        ],
    },
    {
        "role": "admin",
        "anchor": "settings",
        "title": "管理者：認證設定",
        "steps": [
            "於「功能專區」點選「認證設定」，可檢視與修改各認證類別的名稱、證號字母、有效年限與是否開放申請。",
            "於認證類別頁面設定「表單項目」（每一項可選用的表件）與「資格規則」（研習時數、證書等條件，依學年度與縣市設定版本）；也可「新增認證類別」。",
        ],
        "shots": [_shot("help-admin-settings", "認證設定")],
    },
    {
        "role": "admin",
        "anchor": "issuing",
        "title": "管理者：核定與發證",
        "steps": [
            "於「功能專區」點選「發證」：先勾選「通過」的案件按「核定可產證」，再勾選「通過可產證」的案件按「發證」。",
            "大量案件由系統分批處理，頁面顯示進度；發證後系統依縣市、認證類別與學年度編列證號，並寄送通知。",
        ],
        "shots": [_shot("help-admin-issuing", "發證")],
    },
    {
        "role": "admin",
        "anchor": "accounts",
        "title": "管理者：帳號管理",
        "steps": [
            "於「功能專區」點選「帳號管理」，可新增縣市、委員與管理者帳號，並於遺失手機時重設雙因素驗證。",
            "教師帳號由全國教師在職進修資訊網登入時建立，可於教師列表查詢驗證狀態。",
        ],
        "shots": [_shot("help-admin-staff", "帳號管理")],
    },
    {
        "role": "admin",
        "anchor": "imports",
        "title": "管理者：資料匯入",
        "steps": [
            "於「功能專區」點選「資料匯入」，選擇資料類別（縣市、學校、職稱代碼、研習時數、舊系統證號、審查委員名冊）並上傳 CSV 或 Excel 檔。",
            "系統先檢查檔案並列出將新增、更新與未變更的筆數及每一個錯誤（含行號與原因）；確認無誤後按「確認匯入」才寫入。",
        ],
        "shots": [_shot("help-admin-imports", "資料匯入")],
    },
]


def matching(query: str) -> list[dict]:
    """The sections whose title or steps hold every word of `query` (the page's search)."""
    words = query.split()
    if not words:
        return SECTIONS
    return [
        section
        for section in SECTIONS
        if all(word.casefold() in (section["title"] + " ".join(section["steps"])).casefold() for word in words)
    ]


def by_role(sections: list[dict]) -> list[dict]:
    """The sections grouped under their role, in ROLES' order (roles without one are left out)."""
    return [
        {"role": role, "label": label, "sections": [s for s in sections if s["role"] == role]}
        for role, label in ROLES
        if any(s["role"] == role for s in sections)
    ]
