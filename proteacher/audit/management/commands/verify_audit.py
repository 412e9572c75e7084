from django.core.management.base import BaseCommand, CommandError

from proteacher.audit import chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; fails when any sealed entry was changed or removed."

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="first seal what was written since the worker's pass")

    def handle(self, *args, **options):
        if options["seal"]:
            self.stdout.write(f"sealed {chain.seal()} entries")
        verdict = chain.verify()
        for problem in verdict.problems:
            self.stderr.write(problem)
        if not verdict.ok:
            count = len(verdict.problems)
            raise CommandError(f"the audit chain is broken: {count} problem(s) in {verdict.checked} entries")
        waiting = verdict.unsealed
        self.stdout.write(f"audit chain intact: {verdict.checked} entries sealed, {waiting} waiting to be sealed")
