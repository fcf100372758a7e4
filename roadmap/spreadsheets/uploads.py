"""Uploaded files kept in the database between their preview and their confirmation, so that
any app server can take the confirmation: the whole-workbook import's (`keep_upload`) and the
admin's per-model import's (`DatabaseTmpStorage`, django-import-export's temporary file)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.tmp_storages import BaseStorage

from roadmap.models import ImportUpload

UPLOAD_LIFETIME = timedelta(days=1)


def keep_upload(content: bytes, *, filename: str, user=None, roadmap=None) -> ImportUpload:
    """Keep an uploaded file until its import is confirmed; forget those left for a day."""
    ImportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_LIFETIME).delete()
    return ImportUpload.objects.create(
        filename=filename[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        roadmap=roadmap,
    )


class DatabaseTmpStorage(BaseStorage):
    """django-import-export's temporary file for the per-model import, in the database.

    Its name, carried by the confirmation form, is the row's id and the file's SHA-256, so that
    it cannot be guessed from the id alone.
    """

    def save(self, data):
        upload = keep_upload(bytes(data), filename="import")
        self.name = f"{upload.pk}-{upload.sha256}"

    def _uploads(self):
        pk, _sep, digest = (self.name or "").partition("-")
        return ImportUpload.objects.filter(pk=int(pk) if pk.isdigit() else None, sha256=digest)

    def read(self):
        upload = self._uploads().first()
        if upload is None:
            raise Http404(_("Ce fichier n'est plus disponible : déposez-le à nouveau."))
        return bytes(upload.content)

    def remove(self):
        self._uploads().delete()
