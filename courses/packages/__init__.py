"""Course packages: a course as a folder (or a zip) of YAML, Markdown and attachments.

```
<slug>/course.yaml          slug, version, titles, track, tier, prerequisites, modules → lessons
<slug>/lessons/*.md         one Markdown file per lesson
<slug>/attachments/*        files offered with lessons (optional)
curricula.yaml              learning paths over the courses (optional, in a library)
```

Reading refuses unsafe archives (path traversal, symbolic links, zip bombs). Importing checks
everything first and reports every problem as (file, line, message); only a clean package is
written, in one savepoint, through the authoring services — a newer ``version`` of an existing
course becomes a new course version (learners part-way through keep theirs), the same or an
older one is skipped. The caller commits when ``result.ok``.

The rooms: ``archive`` (reading and writing folders and zips), ``yaml_lines`` (YAML with line
numbers and shape checks), ``spec`` (course.yaml and curricula.yaml into specs), ``export``
(a course into package files) and ``importer`` (specs into the catalogue, all or nothing).
"""

from courses.packages.archive import (
    MAX_FILES,
    MAX_TOTAL_BYTES,
    PackageError,
    Problem,
    read_folder,
    read_path,
    read_zip,
    to_zip,
    write_folder,
)
from courses.packages.export import export_course
from courses.packages.importer import (
    LIBRARY,
    ImportResult,
    import_archive,
    import_library,
    import_packages,
)

__all__ = [
    "LIBRARY",
    "MAX_FILES",
    "MAX_TOTAL_BYTES",
    "ImportResult",
    "PackageError",
    "Problem",
    "export_course",
    "import_archive",
    "import_library",
    "import_packages",
    "read_folder",
    "read_path",
    "read_zip",
    "to_zip",
    "write_folder",
]
