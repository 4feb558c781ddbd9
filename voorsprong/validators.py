"""What people may type, checked the same way at every edge (API, forms, admin, imports)."""

# The longest reason (a rejection, a withdrawal, a stop, an approval over the budget and its refusal)
# the API, the forms and the rows take; the history rows keep it whole (their change reason is text).
REASON_MAX_LENGTH = 2000
