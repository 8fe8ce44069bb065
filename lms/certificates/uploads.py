"""Logo and signature uploads of certificate designs: PNG or JPEG only, at most 1 MB and
4000 × 4000 pixels, recognised by their content (never by the file name or the type the
browser claims), decoded in full once so a broken or truncated file is refused here rather
than when a certificate is rendered."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 1024 * 1024
MAX_SIDE = 4000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class UploadError(ValueError):
    """An upload that cannot be used; the message says why, for the form."""


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    mime_type: str
    width: int
    height: int


def read_limited(stream, limit: int = MAX_BYTES) -> bytes:
    """At most ``limit`` + 1 bytes of an uploaded file, so a too-large one is told apart
    without reading all of it."""
    return stream.read(limit + 1)


def check_image(data: bytes) -> CheckedImage:
    """The image when it is a PNG or a JPEG within the limits, else ``UploadError``."""
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise UploadError(_("The image is larger than 1 MB."))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
                if kind not in FORMATS:
                    raise UploadError(_("Upload a PNG or JPEG image."))
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise UploadError(
                        _(
                            "The image is %(width)d × %(height)d pixels; at most "
                            "%(max)d × %(max)d are accepted.",
                            width=width,
                            height=height,
                            max=MAX_SIDE,
                        )
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except UploadError:
            raise
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            OSError,
            SyntaxError,
            ValueError,
        ) as error:
            raise UploadError(_("Upload a PNG or JPEG image.")) from error
    return CheckedImage(data, FORMATS[kind], width, height)
