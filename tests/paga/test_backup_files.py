"""The media part of a backup restored through the storage on local disk, with any Python 3.11 (Debian's
3.11.2 has no tar extraction filters): names kept, bytes kept, and an archive holding anything but plain
files under relative names refused before a single file is written."""

import io
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from ops import backup


@pytest.fixture
def storages(tmp_path):
    return FileSystemStorage(location=tmp_path / "from"), FileSystemStorage(location=tmp_path / "into")


def test_files_archived_and_restored_with_their_names_and_bytes(storages, tmp_path):
    source, target = storages
    source.save("planes/plan.pdf", ContentFile(b"%PDF-1.7 plan"))
    source.save("talleres/acta.txt", ContentFile(b"Acta del taller"))
    target.save("talleres/acta.txt", ContentFile(b"older text"))
    archive = tmp_path / "files.tar"

    assert backup.archive_files(source, archive) == 2
    assert backup.restore_files(target, archive) == 2

    assert target.open("planes/plan.pdf").read() == b"%PDF-1.7 plan"
    assert target.open("talleres/acta.txt").read() == b"Acta del taller"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("../fuera.txt", tarfile.REGTYPE), ("/etc/x", tarfile.REGTYPE), ("enlace", tarfile.SYMTYPE)],
)
def test_an_archive_with_a_name_outside_the_media_folder_is_refused_whole(storages, tmp_path, name, kind):
    _, target = storages
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as tar:
        good = tarfile.TarInfo("bien.txt")
        good.size = 2
        tar.addfile(good, io.BytesIO(b"ok"))
        bad = tarfile.TarInfo(name)
        bad.type = kind
        bad.linkname = "/etc/passwd" if kind == tarfile.SYMTYPE else ""
        bad.size = 0 if kind == tarfile.SYMTYPE else 3
        tar.addfile(bad, io.BytesIO(b"bad") if kind == tarfile.REGTYPE else None)

    with pytest.raises(backup.BackupError, match="not a plain file"):
        backup.restore_files(target, archive)
    assert not target.exists("bien.txt")
