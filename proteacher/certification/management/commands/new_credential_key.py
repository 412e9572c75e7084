from django.core.management.base import BaseCommand

from proteacher.certification.credential_keys import new_private_pem


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 private key (PEM) for the certificates' digital credentials: save it to the "
        "file CREDENTIAL_SIGNING_KEY_FILE names, readable by the platform alone, and keep it."
    )

    def handle(self, *args, **options):
        self.stdout.write(new_private_pem(), ending="")
