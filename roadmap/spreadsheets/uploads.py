"""Uploaded files kept in the database between their preview and their confirmation, so that
any app server can take the confirmation (`keep_upload`): only files the preview found
importable are kept."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.utils import timezone

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
