"""A generated academic year of cases for development and demonstration (統計, the queues)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from proteacher.certification import workflow
from proteacher.dates import current_academic_year
from proteacher.review import year_generator


class Command(BaseCommand):
    help = "產生一個學年度的模擬申請案件，含歷程、委員分發與審查、判定、申復與證書（僅限開發環境，DEBUG=1）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="學年度（民國年，預設為本學年度）")
        parser.add_argument("--cases", type=int, default=2000, help="案件數（預設 2000）")
        parser.add_argument("--seed", type=int, default=1, help="亂數種子：相同的學年度、案件數與種子產生相同的案件")

    def handle(self, *args, year, cases, seed, **options):
        # Teachers, 委員 and certificates that never existed: never on a live platform.
        if not settings.DEBUG:
            raise CommandError("模擬資料只在開發環境（DEBUG=1）產生。")
        if cases < 1:
            raise CommandError("--cases 須為正整數。")
        year = year or current_academic_year()
        try:
            with transaction.atomic():
                summary = year_generator.generate(year, cases, seed)
        except (ValueError, year_generator.AlreadyGenerated) as error:
            raise CommandError(str(error)) from error
        states = "、".join(
            f"{workflow.label(state.code)} {summary.states[state.code]}"
            for state in workflow.STATES
            if summary.states[state.code]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已產生 {year} 學年度 {summary.cases} 件申請案件、{summary.events} 筆歷程、"
                f"{summary.assignments} 筆委員分發、{summary.certificates} 張證書。"
            )
        )
        self.stdout.write(f"各狀態：{states}")
