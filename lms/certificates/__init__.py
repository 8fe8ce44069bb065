"""Certificates: PDF documents issued for a course completion or a certification cycle, with a
per-year serial number, a verification code and QR code, public verification (a page, JSON and
an Open Badges 2.0 hosted assertion), revocation, and bulk downloads.

Modules:
- ``models``: designs, awards (which course or certification grants one), certificates,
  serial counters, the audit trail and bulk batches.
- ``codes``: verification codes (100 bits from ``secrets``) and their canonical form.
- ``issuing``: issuing set-wise and exactly once (unique constraints), hooked to course
  completion and to certified cycles, plus a backfill sweep.
- ``services``: revocation (audited), re-render requests, designs and awards.
- ``render``: the document's plain-dict context, the HTML templates, the QR code, and
  WeasyPrint with a URL fetcher that serves only packaged assets, our own uploads and
  ``data:`` URLs, under a time and size cap.
- ``documents``: a certificate's stored PDF (rendered once, kept by content hash).
- ``bulk``: many certificates rendered in a pool of worker processes, zips, and what
  ``lms certificates render`` writes; ``batches``: the bulk downloads HR asks for, which the
  scheduler runs.
- ``badges``: Open Badges 2.0 assertion, BadgeClass and Issuer documents.
- ``views``: the learner's certificates, HR's list, designs and awards, public verification.
- ``api``: the REST resources; ``cli``: the ``lms certificates`` commands.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from courses import enrolment
    from lms.certificates import issuing
    from lms.certificates.views import bp
    from lms.certification import completion, renewal

    if issuing.on_course_completed not in enrolment.course_completed_hooks:
        enrolment.course_completed_hooks.append(issuing.on_course_completed)
    if issuing.on_cycles_certified not in completion.certified_hooks:
        completion.certified_hooks.append(issuing.on_cycles_certified)
    if issuing.on_expiry_brought_forward not in renewal.expiry_brought_forward_hooks:
        renewal.expiry_brought_forward_hooks.append(issuing.on_expiry_brought_forward)
    app.register_blueprint(bp)
    from lms.certificates import api  # noqa: F401 - routes on the API blueprint
