"""The course catalogue: tracks, tiers, courses, lessons, curricula, enrolment, progress."""
