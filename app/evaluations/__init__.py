"""Evaluation after a course: an anonymous questionnaire mailed to those who came (issue 16)."""
