"""The questionnaire: visibility, options and validation of answers, as pure functions."""
