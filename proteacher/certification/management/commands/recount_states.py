from django.core.management.base import BaseCommand, CommandError

from proteacher.certification import state_counts


class Command(BaseCommand):
    help = (
        "Compare the 認證審查 tab counts (StateCount) with the cases; with --rebuild, count them again "
        "(after cases were loaded in bulk)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="replace the counts with a fresh count of the cases")

    def handle(self, *args, **options):
        if options["rebuild"]:
            rows = state_counts.rebuild()
            self.stdout.write(f"counted again: {rows} rows")
            return
        differences = state_counts.differences()
        for key, (kept, counted) in sorted(differences.items(), key=lambda item: repr(item[0])):
            self.stderr.write(
                f"county {key.county_key}, type {key.certification_type_id}, year {key.academic_year}, "
                f"{key.state}: kept {kept}, counted {counted}"
            )
        if differences:
            raise CommandError(f"{len(differences)} count(s) differ from the cases; run with --rebuild")
        self.stdout.write("the counts match the cases")
