from django.core.management.base import BaseCommand

from proteacher.certification.workflow import diagram


class Command(BaseCommand):
    help = "Print the case workflow as a Mermaid state diagram (for docs/workflow.md)."

    def handle(self, *args, **options):
        self.stdout.write(diagram(), ending="")
