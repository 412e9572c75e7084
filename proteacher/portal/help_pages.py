"""操作教學: the teacher's steps of the platform's manual, with screenshots of this platform.

The screenshots are taken by the browser tests; `make help-screenshots` refreshes them.
"""

SECTIONS = [
    {
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
            {"file": "help/first-login-step1.png", "caption": "教師驗證：1 填寫資料"},
            {"file": "help/first-login-transfer.png", "caption": "教師驗證：2 資料轉移"},
            {"file": "help/profile-certificates.png", "caption": "個人資訊：認證證號"},
        ],
    },
    {
        "anchor": "apply",
        "title": "三、進入認證專區與申請",
        "steps": [
            "點選上方「認證專區」，再點選欲申請的認證（例如進階專業回饋人才認證）。",
            "畫面顯示申請資格，符合資格者按「申請」。",
            "若資格不符，該項目旁會出現「資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證」，請洽詢所屬縣市之教專中心。",
            "每學年度每種認證可申請一次；本學年度已申請過時會顯示「目前沒有可申請的認證 (本學年度已申請過)」。",
        ],
        "shots": [
            {"file": "help/eligibility-table-eligible.png", "caption": "申請資格與「申請」按鈕"},
            {"file": "help/eligibility-refused.png", "caption": "資格不符時的畫面"},
        ],
    },
    {
        "anchor": "forms",
        "title": "四、上傳或填寫表單",
        "steps": [
            "於「流程進度」頁面的編輯表單列表，從下拉式選單選擇表件後（「新增」鍵由反白轉為綠色），再點選「新增」；已填寫的表單按鈕為「編輯」。",
            "上傳表件（公開授課實施證明、教師專業學習社群參與證明、認證檢核表）：點選「下載文件」取得空白表件，填寫並核章後掃描或拍照存成PDF檔，再於表單頁面上傳並按「儲存」。限制PDF，檔案限制 2MB，附件總數為一個檔案。",
            "線上表件（觀察前會談紀錄表、觀察紀錄表、觀察後回饋會談紀錄表）：直接於網頁填寫，標示 * 的欄位為必填，按「儲存」。尚未填完也可以先儲存，系統會提示尚未填寫的欄位。",
            "如何將 Word 文件存成 PDF：請參考「前往 Microsoft Office 轉存 PDF 教學」。",
        ],
        "shots": [
            {"file": "help/case-page-new.png", "caption": "流程進度：編輯表單列表"},
            {"file": "help/upload-saved.png", "caption": "上傳表件：上傳PDF檔後儲存"},
            {"file": "help/online-pre-conference-a.png", "caption": "線上表件：觀察前會談紀錄表-甲 (觀課人員填寫)"},
        ],
    },
    {
        "anchor": "submit",
        "title": "五、送出審查文件",
        "steps": [
            "所有表單皆已完成（填寫狀態為「已完成」）後，按「送出審查文件」。尚有表單未完成時，系統會列出未完成的項目。",
            "送出後狀態變為「形式審查」，表單僅供檢視，不能再修改。審查結果將以訊息通知並同步寄送E-MAIL。",
        ],
        "shots": [
            {"file": "help/case-page-filled.png", "caption": "全部表單已完成，按「送出審查文件」"},
            {"file": "help/case-page-sent.png", "caption": "送出後狀態為「形式審查」"},
        ],
    },
    {
        "anchor": "staff",
        "title": "縣市與管理者：登入",
        "steps": [
            "於「使用者登入」頁面右邊「縣市與管理者登入」輸入帳號與密碼，按「登入」。",
            "密碼連續錯誤 5 次，帳號將暫時鎖定 15 分鐘；忘記密碼請點選「忘記密碼」，系統將寄送重設連結至帳號的 Email。",
        ],
        "shots": [],
    },
]
