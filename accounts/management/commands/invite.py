"""`manage.py invite EMAIL --organisation ACRONYM --role member|administrator`: invite a person
and send the invitation email (docs/contract.md « Commandes »). The link points at SITE_URL."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils import timezone

from accounts import invitations
from accounts.models import Organisation, Role


class Command(BaseCommand):
    help = "Invite une personne et lui envoie le courriel de l'invitation."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--organisation", required=True, help="sigle de l'organisation")
        parser.add_argument(
            "--role", required=True, choices=[Role.MEMBER.value, Role.ADMINISTRATOR.value]
        )

    def handle(self, *args, email, organisation, role, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Adresse électronique invalide\u00a0: {email}") from error
        found = Organisation.objects.filter(acronym__iexact=organisation).first()
        if found is None:
            raise CommandError(f"Organisation inconnue\u00a0: {organisation}")
        try:
            invitation = invitations.invite(email, found, role, invited_by=None)
        except invitations.InvitationRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            f"Invitation envoyée à {invitation.email} ({found.acronym}, "
            f"{Role(role).label.lower()}), valable jusqu'au "
            f"{timezone.localtime(invitation.expires_at):%d/%m/%Y à %H:%M}."
        )
