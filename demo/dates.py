"""The days the demo data is built around."""

import datetime

AS_OF = datetime.date(2025, 11, 26)  # the date of question 244
HORIZON = datetime.date(2026, 11, 1)  # the last day the demo data has activity on
# The outcomes are measured from here: the closing evaluation, the follow-up and the exit questionnaire
# went out for the first time on this day (the minister expected the evaluations' results in the summer
# of 2026), to every trajectory that had ended by then, and since then as each one ends.
QUESTIONNAIRES_FROM = datetime.date(2026, 6, 1)
