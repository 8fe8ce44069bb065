"""What learners see: the catalogue, course pages, the lesson reader."""
